package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/runspec"
	"github.com/safedock/safedock/swarm"
)

// repeatedFlag is a repeatable string flag (-p 1 -p 2).
type repeatedFlag = cliflags.List

// newFlagSet returns a flag set that reports errors instead of exiting
// and whose usage (on -h, --help and errors) lists every flag with its
// default, the zero ones included (see printFlags). A nil stderr keeps
// the set's default output until the caller sets one.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if stderr != nil {
		fs.SetOutput(stderr)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: safedock %s [flags]\n\nFlags:\n", strings.TrimPrefix(fs.Name(), "safedock "))
		printFlags(fs.Output(), fs)
	}
	return fs
}

// usageErr prints a usage error and returns the usage exit code.
func usageErr(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "safedock %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitUsage
}

// benchmarkFlag adds --benchmark to fs: the CIS Docker Benchmark whose
// numbers the report cites.
func benchmarkFlag(fs *flag.FlagSet) *string {
	return fs.String("benchmark", string(rule.DefaultBenchmark), "CIS Docker Benchmark whose numbers the findings cite: cis-1.6.0, cis-1.7.0 or cis-1.8.0")
}

// parseBenchmark checks a --benchmark value.
func parseBenchmark(e *env, cmd, s string) (rule.Benchmark, int, bool) {
	b, err := rule.ParseBenchmark(s)
	if err != nil {
		return "", usageErr(e, cmd, "--benchmark: %v", err), false
	}
	return b, 0, true
}

// allRules is every catalog a report may draw from, to renumber findings
// for a benchmark and to describe rules in SARIF.
func allRules() rule.Catalog {
	return slices.Concat(safedock.Rules(), runspec.Rules(), swarm.Rules())
}

// stampReport prepares a report for output: its findings numbered in
// bench, and the metadata that says who made it, when, about which host and
// against which --fail-on threshold ("" when the command has none). host
// nil means this machine's hostname.
func stampReport(rep rule.Report, bench rule.Benchmark, failOn string, host *rule.HostIdentity) rule.Report {
	rep = rep.ForBenchmark(bench, allRules())
	if host == nil {
		host = &rule.HostIdentity{}
		host.Hostname, _ = os.Hostname()
	}
	tool := toolInfo()
	return rep.WithMeta(rule.Meta{Tool: &tool, Generated: time.Now().UTC().Format(time.RFC3339), Host: host, FailOn: failOn})
}

// toolInfo is safedock's name, module version and VCS revision, from the
// build information the Go toolchain embeds.
func toolInfo() rule.Tool {
	t := rule.Tool{Name: "safedock", Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return t
	}
	if v := bi.Main.Version; v != "" {
		t.Version = v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			t.Revision = s.Value
		}
	}
	return t
}

// reportOptions carries what the renderers need: every rule's description
// (SARIF) and the tool's version.
func reportOptions(passed bool) report.Options {
	t := toolInfo()
	return report.Options{Passed: passed, Rules: allRules(), ToolVersion: t.Version, ToolRevision: t.Revision}
}
