package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

// runAuditAll is "safedock audit [flags]": every section, one report.
func runAuditAll(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("audit", e.stderr)
	only := fs.String("only", "", "comma-separated sections to run (host,auditd,daemon,files,images,containers)")
	skip := fs.String("skip", "", "comma-separated sections to leave out")
	failOn := fs.String("fail-on", "info", "exit 1 when a finding fails at or above this severity (info, low, medium, high, critical)")
	format := fs.String("format", "text", "output format: text, json or sarif")
	all := fs.Bool("all", false, "include stopped containers")
	root := fs.String("root", "/", "examine the tree under DIR as if it were / (host, auditd, daemon and files sections)")
	trusted := fs.String("trusted", "", "comma-separated users allowed in the Docker socket's group")
	passed := fs.Bool("passed", false, "show passing findings in text output")
	conc := fs.Int("concurrency", 8, "inspects in flight")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: safedock audit [flags]            audit the whole host\n       safedock audit SECTION [flags]    one section (containers, host)\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr(e, "audit", "unexpected argument %q (sections go in --only)", fs.Arg(0))
	}
	sev, err := rule.ParseSeverity(*failOn)
	if err != nil {
		return usageErr(e, "audit", "--fail-on: %v", err)
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return usageErr(e, "audit", "%v", err)
	}
	opts := safedock.Options{Root: *root, All: *all, Concurrency: *conc}
	for _, list := range []struct {
		flag string
		dst  *[]safedock.Section
	}{{*only, &opts.Only}, {*skip, &opts.Skip}} {
		for _, s := range splitList(list.flag) {
			sec, err := safedock.ParseSection(s)
			if err != nil {
				return usageErr(e, "audit", "%v", err)
			}
			*list.dst = append(*list.dst, sec)
		}
	}
	opts.TrustedUsers = splitList(*trusted)

	if e.getenv(statsEnv) == "1" {
		var calls atomic.Int64
		cli, err := countingDockerClient(&calls)
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock audit:", err)
			return exitError
		}
		defer cli.Close()
		defer func() { fmt.Fprintf(e.stderr, "api_calls=%d\n", calls.Load()) }()
		opts.Client = cli
		// The inspects take the same fast path as without stats, counted.
		if fi, err := hardening.NewFastInspector(cli, *conc); err == nil {
			defer fi.Close()
			fi.OnRequest = func(*http.Request) { calls.Add(1) }
			opts.Inspector = fi
		}
	}
	rep, err := safedock.Audit(ctx, opts)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit:", err)
		return exitError
	}
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	switch f {
	case report.Text:
		err = writeSectioned(out, rep, *passed, isTTY(e.stdout) && e.getenv("NO_COLOR") == "")
	case report.JSON:
		err = writeJSON(out, rep)
	default:
		err = report.Write(out, rep.Report, f, reportOptions())
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit:", err)
		return exitError
	}
	for _, s := range rep.Sections {
		if s.Error != "" {
			fmt.Fprintf(e.stderr, "safedock audit: section %s could not run: %s\n", s.Section, s.Error)
		}
	}
	if rep.Incomplete() {
		return exitError
	}
	if rep.Failed(sev) {
		return exitFindings
	}
	return exitOK
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// writeSectioned renders the whole-host report as text, one block per
// section with its own counts, then the overall summary.
func writeSectioned(w io.Writer, rep safedock.Report, passed, colour bool) error {
	paint := func(st rule.Status, s string) string {
		if !colour {
			return s
		}
		code := map[rule.Status]string{rule.StatusFail: "31", rule.StatusWarn: "33", rule.StatusPass: "32", rule.StatusWaived: "36", rule.StatusSkip: "90"}[st]
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	// Each finding's section, worked out once; findings are not copied.
	sections := make([]safedock.Section, len(rep.Findings))
	for i, f := range rep.Findings {
		sections[i] = safedock.SectionOf(f.Rule)
	}
	for _, sr := range rep.Sections {
		var fs []*rule.Finding
		count := map[rule.Status]int{}
		for i := range rep.Findings {
			if sections[i] == sr.Section {
				fs = append(fs, &rep.Findings[i])
				count[rep.Findings[i].Status]++
			}
		}
		fmt.Fprintf(w, "== %s: %d fail, %d warn, %d waived, %d skip, %d pass (%s)\n", sr.Section, count[rule.StatusFail], count[rule.StatusWarn], count[rule.StatusWaived], count[rule.StatusSkip], count[rule.StatusPass], sr.Duration.Round(100_000))
		if sr.Skipped != "" {
			fmt.Fprintf(w, "   skipped: %s\n", sr.Skipped)
		}
		if sr.Error != "" {
			fmt.Fprintf(w, "   %s\n", paint(rule.StatusFail, "could not run: "+sr.Error))
		}
		for _, f := range fs {
			if f.Status == rule.StatusPass && !passed {
				continue
			}
			cis := ""
			if len(f.CIS) > 0 {
				cis = " [CIS " + strings.Join(f.CIS, ",") + "]"
			}
			fmt.Fprintf(w, "   %s %-8s %s %s%s: %s\n", paint(f.Status, fmt.Sprintf("%-6s", strings.ToUpper(string(f.Status)))), f.Severity, f.Target, f.Rule, cis, f.Reason)
			if f.Detail != "" {
				fmt.Fprintf(w, "          detail: %s\n", f.Detail)
			}
			if f.Remediation != "" && f.Status != rule.StatusWaived {
				fmt.Fprintf(w, "          fix: %s\n", f.Remediation)
			}
		}
	}
	s := rep.Summary
	_, err := fmt.Fprintf(w, "\n%d findings on %d targets: %s, %s, %d waived, %d skip, %d pass\n",
		s.Total, s.Targets, paint(rule.StatusFail, fmt.Sprintf("%d fail", s.Fail)), paint(rule.StatusWarn, fmt.Sprintf("%d warn", s.Warn)), s.Waived, s.Skip, s.Pass)
	return err
}

// reportOptions carries what SARIF needs: every rule's description.
func reportOptions() report.Options {
	return report.Options{Rules: safedock.Rules()}
}
