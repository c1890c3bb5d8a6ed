package rule

import (
	"cmp"
	"slices"
)

// Report is a sorted set of findings with a summary. Its JSON form,
// {"findings":[...],"summary":{...}}, is shared by every safedock audit.
type Report struct {
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// Incomplete lists what the audit could not examine (see WithGaps). A
	// report with gaps is never clean, whatever its findings say.
	Incomplete []Gap `json:"incomplete,omitempty"`
}

// Summary counts findings by status, and failures by severity.
type Summary struct {
	Total  int `json:"total"`
	Pass   int `json:"pass"`
	Fail   int `json:"fail"`
	Warn   int `json:"warn"`
	Waived int `json:"waived"`
	Skip   int `json:"skip"`
	// WaivedUnapproved counts the waived findings whose waiver was only
	// claimed (a container label) and approved by no waiver file: the
	// audit ran without one (see WaiverFile).
	WaivedUnapproved int `json:"waived_unapproved"`
	// Incomplete is true when the report has gaps (Report.Incomplete).
	Incomplete bool `json:"incomplete"`
	// FailBySeverity counts failing findings per severity name.
	FailBySeverity map[string]int `json:"fail_by_severity"`
	// Targets is the number of distinct targets examined.
	Targets int `json:"targets"`
}

// NewReport sorts findings (target, then rule ID, then detail) and
// summarizes them. The input slice is not modified.
func NewReport(findings []Finding) Report {
	fs := slices.Clone(findings)
	SortFindings(fs)
	if fs == nil {
		fs = []Finding{}
	}
	return Report{Findings: fs, Summary: Summarize(fs)}
}

// SortFindings orders findings deterministically: by target, rule ID,
// status, then detail.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Target, b.Target),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
}

// Summarize counts findings.
func Summarize(fs []Finding) Summary {
	s := Summary{FailBySeverity: map[string]int{}}
	targets := map[string]bool{}
	for _, f := range fs {
		s.Total++
		targets[f.Target] = true
		switch f.Status {
		case StatusPass:
			s.Pass++
		case StatusFail:
			s.Fail++
			s.FailBySeverity[f.Severity.String()]++
		case StatusWarn:
			s.Warn++
		case StatusWaived:
			s.Waived++
			if f.Waiver != nil && !f.Waiver.Approved {
				s.WaivedUnapproved++
			}
		case StatusSkip:
			s.Skip++
		}
	}
	s.Targets = len(targets)
	return s
}

// Failed reports whether any finding failed at or above min severity.
func (r Report) Failed(min Severity) bool {
	for _, f := range r.Findings {
		if f.Status == StatusFail && f.Severity >= min {
			return true
		}
	}
	return false
}

// Merge combines reports into one, re-sorted and re-summarized.
func Merge(reports ...Report) Report {
	var all []Finding
	var gaps []Gap
	for _, r := range reports {
		all = append(all, r.Findings...)
		gaps = append(gaps, r.Incomplete...)
	}
	return NewReport(all).WithGaps(gaps...)
}
