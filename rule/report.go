package rule

import (
	"cmp"
	"slices"
)

// Report is a sorted set of findings with a summary. Its JSON form,
// {"tool":...,"generated":...,"host":...,"benchmark":...,"fail_on":...,
// "findings":[...],"summary":{...}}, is shared by every safedock audit; the
// metadata fields are omitted when unset (a library caller that builds a
// report fills what it knows, see WithMeta).
type Report struct {
	// Tool names the program that produced the report.
	Tool *Tool `json:"tool,omitempty"`
	// Generated is when the report was made, RFC 3339.
	Generated string `json:"generated,omitempty"`
	// Host identifies the machine and daemon audited.
	Host *HostIdentity `json:"host,omitempty"`
	// Benchmark is the CIS Docker Benchmark the findings' CIS references
	// are numbered in ("" means DefaultBenchmark; see ForBenchmark).
	Benchmark Benchmark `json:"benchmark,omitempty"`
	// FailOn is the severity threshold the caller judged the report
	// against (the --fail-on flag), when there is one.
	FailOn string `json:"fail_on,omitempty"`

	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// Incomplete lists what the audit could not examine (see WithGaps). A
	// report with gaps is never clean, whatever its findings say.
	Incomplete []Gap `json:"incomplete,omitempty"`
}

// Tool names the program that produced a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Revision is the VCS revision the program was built from, when the
	// build recorded it.
	Revision string `json:"revision,omitempty"`
}

// HostIdentity says which machine and daemon a report is about: the
// hostname, and the daemon's ID, product and version from its /info, and
// for a remote daemon the address it was reached at.
type HostIdentity struct {
	Hostname      string `json:"hostname"`
	DaemonID      string `json:"daemon_id,omitempty"`
	Engine        string `json:"engine,omitempty"` // e.g. "Docker Engine - Community", or the OS the daemon reports
	EngineVersion string `json:"engine_version,omitempty"`
	// Address is where a remote daemon was reached (its DOCKER_HOST,
	// "tcp://host:2376"); empty for a daemon on the audited machine.
	Address string `json:"address,omitempty"`
}

// Key is a stable identity of the host for fingerprints: the daemon ID
// when known, else the hostname.
func (h *HostIdentity) Key() string {
	if h == nil {
		return ""
	}
	if h.DaemonID != "" {
		return h.DaemonID
	}
	return h.Hostname
}

// ForBenchmark returns r with every finding's CIS references numbered in
// b, taken from its rule in rules (pass every catalog the report's findings
// come from), and r.Benchmark set to b. A finding whose rule rules does not
// hold keeps the CIS it has. r is not modified.
func (r Report) ForBenchmark(b Benchmark, rules Catalog) Report {
	byID := make(map[ID]*Rule, len(rules))
	for i := range rules {
		byID[rules[i].ID] = &rules[i]
	}
	fs := make([]Finding, len(r.Findings))
	for i, f := range r.Findings {
		if rl, ok := byID[f.Rule]; ok {
			f.CIS = rl.References(b)
		}
		fs[i] = f
	}
	r.Findings = fs
	r.Benchmark = b
	return r
}

// BenchmarkOrDefault is r.Benchmark, or DefaultBenchmark when unset.
func (r Report) BenchmarkOrDefault() Benchmark {
	if r.Benchmark == "" {
		return DefaultBenchmark
	}
	return r.Benchmark
}

// Meta is the metadata WithMeta stamps on a report.
type Meta struct {
	Tool      *Tool
	Generated string
	Host      *HostIdentity
	FailOn    string
}

// WithMeta returns r with the metadata of m that is set; fields of r that
// m leaves empty are kept.
func (r Report) WithMeta(m Meta) Report {
	if m.Tool != nil {
		r.Tool = m.Tool
	}
	if m.Generated != "" {
		r.Generated = m.Generated
	}
	if m.Host != nil {
		r.Host = m.Host
	}
	if m.FailOn != "" {
		r.FailOn = m.FailOn
	}
	return r
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

// Merge combines reports into one, re-sorted and re-summarized. The
// metadata (tool, generated, host, benchmark, fail-on) is the first set
// value among the reports.
func Merge(reports ...Report) Report {
	var all []Finding
	var gaps []Gap
	var meta Meta
	var bench Benchmark
	for _, r := range reports {
		all = append(all, r.Findings...)
		gaps = append(gaps, r.Incomplete...)
		meta = Meta{Tool: cmpOrPtr(meta.Tool, r.Tool), Generated: cmpOr(meta.Generated, r.Generated), Host: cmpOrPtr(meta.Host, r.Host), FailOn: cmpOr(meta.FailOn, r.FailOn)}
		bench = cmpOr(bench, r.Benchmark)
	}
	out := NewReport(all).WithGaps(gaps...).WithMeta(meta)
	out.Benchmark = bench
	return out
}

func cmpOr[T comparable](a, b T) T { return cmp.Or(a, b) }

func cmpOrPtr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}
