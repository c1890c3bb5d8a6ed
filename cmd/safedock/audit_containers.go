package main

import (
	"context"
	"fmt"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/report"
)

func init() {
	registerAudit(command{name: "containers", summary: "audit the containers on the daemon (CIS 4.x, 5.x)", run: runAuditContainers})
}

func runAuditContainers(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("audit containers", e.stderr)
	all := fs.Bool("all", false, "include stopped containers")
	fs.BoolVar(all, "a", false, "shorthand for --all")
	format := fs.String("format", "text", "output format: text, json or sarif")
	passed := fs.Bool("passed", false, "show passing findings in text and sarif output")
	conc := fs.Int("concurrency", 8, "inspects in flight")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr(e, "audit containers", "unexpected argument %q", fs.Arg(0))
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return usageErr(e, "audit containers", "%v", err)
	}
	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit containers:", err)
		return exitError
	}
	defer cli.Close()
	r, err := hardening.Audit(ctx, cli, hardening.AuditOptions{All: *all, Concurrency: *conc})
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit containers:", err)
		return exitError
	}
	if err := report.Write(e.stdout, r, f, report.Options{Passed: *passed, Rules: hardening.Rules()}); err != nil {
		fmt.Fprintln(e.stderr, "safedock audit containers:", err)
		return exitError
	}
	if r.Summary.Fail > 0 {
		return exitFindings
	}
	return exitOK
}
