package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{
		name:    "perms",
		summary: "check (perms check) or tighten (perms fix) the owners and modes of Docker's files",
		run:     runPerms,
	})
}

func runPerms(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "check" && args[0] != "fix") {
		fmt.Fprintln(e.stderr, "usage: safedock perms check [--root DIR] [--socket PATH] [--format text|json|sarif|html] [--benchmark cis-1.8.0]\n       safedock perms fix [--root DIR] [--socket PATH] [--apply] [--format text|json]")
		return exitUsage
	}
	sub := args[0]
	fl := newFlagSet("perms "+sub, nil)
	fl.SetOutput(e.stderr)
	root := fl.String("root", "/", "check the tree under `DIR` as if it were /")
	socket := fl.String("socket", "", "the daemon's socket `PATH` (default: from DOCKER_HOST, else /var/run/docker.sock)")
	format := fl.String("format", "text", "output format: text, json, sarif or html (check); text or json (fix)")
	benchmark := benchmarkFlag(fl)
	apply := false
	if sub == "fix" {
		fl.BoolVar(&apply, "apply", false, "make the changes (default: only show them)")
	}
	if err := fl.Parse(args[1:]); err != nil {
		return exitUsage
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock perms:", err)
		return exitUsage
	}
	bench, code, ok := parseBenchmark(e, "perms "+sub, *benchmark)
	if !ok {
		return code
	}
	sock := *socket
	if sock == "" {
		if h := e.getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
			sock = strings.TrimPrefix(h, "unix://")
		}
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(e.stderr, "safedock perms:", err)
		return exitError
	}
	cfg, err := perms.Discover(*root, sock)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock perms:", err)
		return exitError
	}
	if sub == "check" {
		rep, err := perms.Check(cfg)
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock perms:", err)
			return exitError
		}
		if err := report.Write(e.stdout, stampReport(rep, bench, "", nil), f, reportOptions(true)); err != nil {
			fmt.Fprintln(e.stderr, "safedock perms:", err)
			return exitError
		}
		if rep.Summary.Fail > 0 {
			return exitFindings
		}
		return exitOK
	}
	res, ferr := perms.Fix(cfg, perms.FixOptions{Apply: apply})
	if f == report.JSON {
		if err := writeJSON(e.stdout, res); err != nil {
			fmt.Fprintln(e.stderr, "safedock perms:", err)
			return exitError
		}
	} else {
		writeFix(e.stdout, res)
	}
	if ferr != nil {
		fmt.Fprintln(e.stderr, "safedock perms fix:", ferr)
		return exitError
	}
	if len(res.Manual) > 0 || (!apply && len(res.Changes) > 0) {
		return exitFindings
	}
	return exitOK
}

func writeFix(w io.Writer, res perms.FixResult) {
	verb := "would"
	if res.Applied {
		verb = "did"
	}
	for _, c := range res.Changes {
		switch {
		case c.Applied:
			fmt.Fprintf(w, "changed: %s\n", c)
		case c.Err != "":
			fmt.Fprintf(w, "FAILED: %s: %s\n", c, c.Err)
		default:
			fmt.Fprintf(w, "would change: %s\n", c)
		}
	}
	for _, m := range res.Manual {
		fmt.Fprintf(w, "needs a person: %s %s: %s\n", m.Rule, m.Target, m.Reason)
	}
	fmt.Fprintf(w, "\n%d change(s) %s apply, %d finding(s) need a person", len(res.Changes), verb, len(res.Manual))
	if !res.Applied && len(res.Changes) > 0 {
		fmt.Fprint(w, "; run again with --apply to make the changes")
	}
	fmt.Fprintln(w)
}

// failed reports whether a report has failures (for exit codes).
func failed(r rule.Report) bool { return r.Summary.Fail > 0 }
