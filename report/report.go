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
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case Text, JSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want text or json", s)
}

// Options adjust rendering.
type Options struct {
	// Passed includes passing findings in text output (JSON always has all).
	Passed bool
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
	_, err := fmt.Fprintf(w, "\n%d findings on %d targets: %d fail, %d warn, %d waived, %d skip, %d pass\n",
		s.Total, s.Targets, s.Fail, s.Warn, s.Waived, s.Skip, s.Pass)
	return err
}
