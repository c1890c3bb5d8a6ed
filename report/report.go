package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/safedock/safedock/rule"
)

// Format names an output format.
type Format string

// Formats.
const (
	Text Format = "text"
	JSON Format = "json"
	// SARIF is SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
	SARIF Format = "sarif"
	// HTML is one self-contained page for people: summaries, filters and
	// every finding, failing ones first.
	HTML Format = "html"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Text, JSON, SARIF, HTML:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want text, json, sarif or html", s)
}

// Options adjust rendering.
type Options struct {
	// Passed includes passing findings in text and SARIF output (JSON
	// always has all).
	Passed bool
	// Rules describes the rules in SARIF's tool.driver.rules: title,
	// rationale, remediation, CIS references. Pass the catalogs of the
	// packages that produced the report (hardening.Rules(), ...); a rule a
	// finding names that is missing here is described from the finding.
	// Text and JSON ignore it.
	Rules rule.Catalog
	// ToolVersion is safedock's version in SARIF's tool.driver.version
	// (default: the report's Tool); omitted when both are empty.
	ToolVersion string
	// ToolRevision is the VCS revision safedock was built from (default:
	// the report's Tool).
	ToolRevision string
	// Sections, when set, make r a whole-host audit's report, in these
	// sections (in order; a finding belongs to rule.SectionOf its rule):
	// text shows one block per section with its own counts, the HTML page
	// one row per section (one without findings, and why a section was
	// skipped, included), JSON adds them as "sections". SARIF ignores them.
	// Without them the HTML page shows the sections findings name.
	Sections []rule.SectionResult
	// Colour paints statuses with ANSI colours in a whole-host report's
	// text (a terminal's); other output is never coloured.
	Colour bool
}

// Write renders r to w in format f.
func Write(w io.Writer, r rule.Report, f Format, opts Options) error {
	switch f {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		var v any = r
		if opts.Sections != nil {
			v = sectioned{Report: r, Sections: opts.Sections}
		}
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("encoding report: %w", err)
		}
		return nil
	case Text:
		if opts.Sections != nil {
			return writeSectioned(w, r, opts)
		}
		return writeText(w, r, opts)
	case SARIF:
		return writeSARIF(w, r, opts)
	case HTML:
		return writeHTML(w, r, opts)
	}
	return fmt.Errorf("unknown format %q", f)
}

// stopsDockerd lists the rules whose failure means dockerd refuses to
// start (or starts a daemon on which no container runs): text reports put
// their findings first.
var stopsDockerd = map[rule.ID]bool{"daemon.valid-config": true}

// StopsDockerd reports whether f is a failing finding of a rule whose
// failure stops dockerd.
func StopsDockerd(f rule.Finding) bool { return f.Status == rule.StatusFail && stopsDockerd[f.Rule] }

// TextOrder returns the findings in the order text reports show them: the
// errors that stop dockerd first, then the rest in report order. The input
// is not modified.
func TextOrder(fs []rule.Finding) []rule.Finding {
	out := make([]rule.Finding, 0, len(fs))
	for _, f := range fs {
		if StopsDockerd(f) {
			out = append(out, f)
		}
	}
	for _, f := range fs {
		if !StopsDockerd(f) {
			out = append(out, f)
		}
	}
	return out
}

// writeText renders one line per finding, columns aligned with spaces and
// no line padded at its end, then its detail and fix indented below it.
func writeText(w io.Writer, r rule.Report, opts Options) error {
	bw := bufio.NewWriter(w)
	var shown []rule.Finding
	for _, f := range TextOrder(r.Findings) {
		if f.Status == rule.StatusPass && !opts.Passed {
			continue
		}
		shown = append(shown, f)
	}
	cols := make([][5]string, len(shown))
	var width [5]int
	for i, f := range shown {
		cis := "-"
		if len(f.CIS) > 0 {
			cis = "CIS " + strings.Join(f.CIS, ",")
		}
		cols[i] = [5]string{strings.ToUpper(string(f.Status)), f.Severity.String(), f.Target, string(f.Rule), cis}
		for j, c := range cols[i] {
			width[j] = max(width[j], len(c))
		}
	}
	for i, f := range shown {
		var line strings.Builder
		for j, c := range cols[i] {
			line.WriteString(c)
			line.WriteString(strings.Repeat(" ", width[j]-len(c)+2))
		}
		line.WriteString(f.Reason)
		bw.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		if f.Detail != "" {
			bw.WriteString(strings.TrimRight("    detail: "+f.Detail, " ") + "\n")
		}
		if f.Remediation != "" && f.Status != rule.StatusWaived {
			bw.WriteString(strings.TrimRight("    fix: "+f.Remediation, " ") + "\n")
		}
	}
	s := r.Summary
	fmt.Fprintf(bw, "\n%d findings on %d targets: %d fail, %d warn, %d waived, %d skip, %d pass\n",
		s.Total, s.Targets, s.Fail, s.Warn, s.Waived, s.Skip, s.Pass)
	if s.WaivedUnapproved > 0 {
		fmt.Fprintf(bw, "%d of the waived findings are waived by labels alone, approved by no waiver file\n", s.WaivedUnapproved)
	}
	fmt.Fprintf(bw, "%s\n", MetaLine(r))
	for _, g := range r.Incomplete {
		fmt.Fprintf(bw, "INCOMPLETE: %s\n", gapText(g))
	}
	if !r.Complete() {
		fmt.Fprintln(bw, "the report is incomplete: this is not a clean result")
	}
	return bw.Flush()
}

// MetaLine says, in one line, which benchmark the report cites and, when
// the report has them, who made it, about which host and when:
// "benchmark: CIS Docker Benchmark v1.8.0; safedock v1.2.0 (abc1234); host vm (daemon RSAB:...); 2026-12-01T00:00:00Z".
func MetaLine(r rule.Report) string {
	parts := []string{"benchmark: " + r.BenchmarkOrDefault().Title()}
	if t := r.Tool; t != nil {
		tool := t.Name + " " + t.Version
		if t.Revision != "" {
			tool += " (" + shortRev(t.Revision) + ")"
		}
		parts = append(parts, tool)
	}
	if h := r.Host; h != nil && (h.Hostname != "" || h.DaemonID != "" || h.Address != "") {
		host := "host " + cmpOr(h.Hostname, "?")
		if h.Address != "" {
			host += " at " + h.Address
		}
		if h.EngineVersion != "" {
			host += ", engine " + h.EngineVersion
		}
		if h.DaemonID != "" {
			host += ", daemon " + h.DaemonID
		}
		parts = append(parts, host)
	}
	if r.Generated != "" {
		parts = append(parts, r.Generated)
	}
	if r.FailOn != "" {
		parts = append(parts, "fail-on "+r.FailOn)
	}
	return strings.Join(parts, "; ")
}

func shortRev(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// gapText describes one gap of an incomplete report.
func gapText(g rule.Gap) string {
	if g.Section == "" {
		return g.Reason
	}
	return g.Section + ": " + g.Reason
}
