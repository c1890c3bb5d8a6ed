package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// The whole-host audit's sections: a finding belongs to rule.SectionOf its
// rule, here and in the HTML page alike.

// sectioned is the JSON shape of a whole-host report: the usual report
// plus how each section went (the same bytes as the module root's Report).
type sectioned struct {
	rule.Report
	Sections []rule.SectionResult `json:"sections"`
}

// writeSectioned renders a whole-host report as text: the errors that stop
// dockerd announced first, one block per section with its own counts (the
// errors that stop dockerd first within it), then the overall summary.
func writeSectioned(w io.Writer, r rule.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	paint := func(st rule.Status, s string) string {
		if !opts.Colour {
			return s
		}
		code := map[rule.Status]string{rule.StatusFail: "31", rule.StatusWarn: "33", rule.StatusPass: "32", rule.StatusWaived: "36", rule.StatusSkip: "90"}[st]
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	stops := 0
	for _, f := range r.Findings {
		if StopsDockerd(f) {
			stops++
		}
	}
	if stops > 0 {
		fmt.Fprintf(bw, "%s\n", paint(rule.StatusFail, fmt.Sprintf("DOCKERD WOULD NOT START: %d error(s) in its configuration (first in the daemon section)", stops)))
	}
	// Each finding's section, worked out once; findings are not copied.
	sections := make([]rule.Section, len(r.Findings))
	for i, f := range r.Findings {
		sections[i] = rule.SectionOf(f.Rule)
	}
	for _, sr := range opts.Sections {
		var fs []*rule.Finding
		count := map[rule.Status]int{}
		for i := range r.Findings {
			if sections[i] == sr.Section {
				fs = append(fs, &r.Findings[i])
				count[r.Findings[i].Status]++
			}
		}
		slices.SortStableFunc(fs, func(a, b *rule.Finding) int {
			return cmp.Compare(stopRank(*a), stopRank(*b))
		})
		mark := ""
		if sr.Unfinished() {
			mark = " " + paint(rule.StatusFail, "INCOMPLETE")
		}
		fmt.Fprintf(bw, "== %s:%s %d fail, %d warn, %d waived, %d skip, %d pass (%s)\n", sr.Section, mark, count[rule.StatusFail], count[rule.StatusWarn], count[rule.StatusWaived], count[rule.StatusSkip], count[rule.StatusPass], sr.Duration.Round(100_000))
		if sr.Skipped != "" {
			fmt.Fprintf(bw, "   skipped: %s\n", sr.Skipped)
		}
		if sr.Error != "" {
			what := "could not run: "
			if sr.Total > 0 || sr.Findings > 0 {
				what = "incomplete: "
			}
			fmt.Fprintf(bw, "   %s\n", paint(rule.StatusFail, what+sr.Error))
		}
		for _, f := range fs {
			if f.Status == rule.StatusPass && !opts.Passed {
				continue
			}
			cis := ""
			if len(f.CIS) > 0 {
				cis = " [CIS " + strings.Join(f.CIS, ",") + "]"
			}
			fmt.Fprintf(bw, "   %s %-8s %s %s%s: %s\n", paint(f.Status, fmt.Sprintf("%-6s", strings.ToUpper(string(f.Status)))), f.Severity, f.Target, f.Rule, cis, strings.TrimRight(f.Reason, " "))
			if f.Detail != "" {
				fmt.Fprintf(bw, "          detail: %s\n", strings.TrimRight(f.Detail, " \t"))
			}
			if f.Remediation != "" && f.Status != rule.StatusWaived {
				fmt.Fprintf(bw, "          fix: %s\n", strings.TrimRight(f.Remediation, " \t"))
			}
		}
	}
	s := r.Summary
	fmt.Fprintf(bw, "\n%d findings on %d targets: %s, %s, %d waived, %d skip, %d pass\n",
		s.Total, s.Targets, paint(rule.StatusFail, fmt.Sprintf("%d fail", s.Fail)), paint(rule.StatusWarn, fmt.Sprintf("%d warn", s.Warn)), s.Waived, s.Skip, s.Pass)
	if s.WaivedUnapproved > 0 {
		fmt.Fprintf(bw, "%d of the waived findings are waived by container labels alone, approved by no waiver file (--waivers FILE)\n", s.WaivedUnapproved)
	}
	incomplete := 0
	for _, sr := range opts.Sections {
		if sr.Unfinished() {
			incomplete++
		}
	}
	if incomplete > 0 {
		fmt.Fprintf(bw, "%s\n", paint(rule.StatusFail, fmt.Sprintf("INCOMPLETE: %d of %d sections did not examine everything; this is not a clean result", incomplete, len(opts.Sections))))
	}
	fmt.Fprintln(bw, MetaLine(r))
	return bw.Flush()
}

// stopRank orders the errors that stop dockerd before everything else.
func stopRank(f rule.Finding) int {
	if StopsDockerd(f) {
		return 0
	}
	return 1
}
