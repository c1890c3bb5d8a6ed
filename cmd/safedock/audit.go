package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// auditSubcommands are the "safedock audit SECTION" commands; each section's
// file registers its own from init.
var auditSubcommands = map[string]command{}

func registerAudit(c command) {
	if _, dup := auditSubcommands[c.name]; dup {
		panic("safedock: audit section registered twice: " + c.name)
	}
	auditSubcommands[c.name] = c
}

func init() {
	register(command{
		name:    "audit",
		summary: "audit this Docker host by section: audit containers, audit host",
		run:     runAudit,
	})
}

func runAudit(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		return runAuditAll(ctx, e, args)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		// The whole audit's usage, exit codes and every flag with its
		// default, then the sections that have a command of their own.
		code := runAuditAll(ctx, e, []string{"-h"})
		fmt.Fprintln(e.stderr, "\nSections with their own command:")
		names := make([]string, 0, len(auditSubcommands))
		for n := range auditSubcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(e.stderr, "  %-12s %s\n", n, auditSubcommands[n].summary)
		}
		return code
	}
	c, ok := auditSubcommands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "safedock audit: unknown section %q (see safedock audit --help)\n", args[0])
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}
