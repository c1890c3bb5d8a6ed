package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Text, JSON, SARIF:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want text, json or sarif", s)
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
	// ToolVersion is safedock's version in SARIF's tool.driver.version;
	// omitted when empty.
	ToolVersion string
}

// Write renders r to w in format f.
func Write(w io.Writer, r rule.Report, f Format, opts Options) error {
	switch f {
	case JSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("encoding report: %w", err)
		}
		return nil
	case Text:
		return writeText(w, r, opts)
	case SARIF:
		return writeSARIF(w, r, opts)
	}
	return fmt.Errorf("unknown format %q", f)
}

func writeText(w io.Writer, r rule.Report, opts Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range r.Findings {
		if f.Status == rule.StatusPass && !opts.Passed {
			continue
		}
		cis := "-"
		if len(f.CIS) > 0 {
			cis = "CIS " + strings.Join(f.CIS, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(f.Status)), f.Severity, f.Target, f.Rule, cis, f.Reason)
		if f.Detail != "" {
			fmt.Fprintf(tw, "\t\t\t  detail: %s\t\t\n", f.Detail)
		}
		if f.Remediation != "" && f.Status != rule.StatusWaived {
			fmt.Fprintf(tw, "\t\t\t  fix: %s\t\t\n", f.Remediation)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := r.Summary
	if _, err := fmt.Fprintf(w, "\n%d findings on %d targets: %d fail, %d warn, %d waived, %d skip, %d pass\n",
		s.Total, s.Targets, s.Fail, s.Warn, s.Waived, s.Skip, s.Pass); err != nil {
		return err
	}
	if s.WaivedUnapproved > 0 {
		fmt.Fprintf(w, "%d of the waived findings are waived by labels alone, approved by no waiver file\n", s.WaivedUnapproved)
	}
	for _, g := range r.Incomplete {
		fmt.Fprintf(w, "INCOMPLETE: %s\n", gapText(g))
	}
	if !r.Complete() {
		_, err := fmt.Fprintln(w, "the report is incomplete: this is not a clean result")
		return err
	}
	return nil
}

// gapText describes one gap of an incomplete report.
func gapText(g rule.Gap) string {
	if g.Section == "" {
		return g.Reason
	}
	return g.Section + ": " + g.Reason
}
