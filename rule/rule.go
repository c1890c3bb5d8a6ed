package rule

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ID identifies a rule. IDs are stable, dotted, lower-case names such as
// "container.no-new-privileges"; CIS numbers are references on a rule, never
// its identity, because CIS renumbers between benchmark versions.
type ID string

// String returns the ID as a plain string.
func (id ID) String() string { return string(id) }

// The ID scheme is the regular expression
// ^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$, matched by hand: every
// catalog validates itself when its package loads, at every start of the
// CLI (FuzzIDValid holds the two equal).

// Valid reports whether id follows the ID scheme: a lower-case area, a dot,
// and a hyphenated name (for example "daemon.icc" or "container.pids-limit").
func (id ID) Valid() bool {
	s := string(id)
	area, rest, ok := strings.Cut(s, ".")
	if !ok || area == "" || area[0] < 'a' || area[0] > 'z' {
		return false
	}
	for i := 1; i < len(area); i++ {
		if !lowerOrDigit(area[i]) {
			return false
		}
	}
	// One or more dot-separated names, each of lower-case letters and
	// digits in runs joined by single hyphens.
	for seg := range strings.SplitSeq(rest, ".") {
		if seg == "" || seg[0] == '-' || seg[len(seg)-1] == '-' || strings.Contains(seg, "--") {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if seg[i] != '-' && !lowerOrDigit(seg[i]) {
				return false
			}
		}
	}
	return true
}

func lowerOrDigit(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }

// dottedNumbers reports whether s is two or more runs of digits joined by
// single dots (a CIS reference: "5.10", "2.2.1"), the regular expression
// ^[0-9]+(\.[0-9]+)+$ matched by hand (FuzzDottedNumbers).
func dottedNumbers(s string) bool {
	n := 0
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
		n++
	}
	return n >= 2
}

// Severity says how much a failing rule matters. The zero value is invalid.
type Severity int

// Severities, from least to most serious. They compare with < and >.
const (
	SeverityInfo Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = []string{"", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name of s ("high"), or "invalid".
func (s Severity) String() string {
	if s < SeverityInfo || s > SeverityCritical {
		return "invalid"
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name such as "high" (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if i > 0 && strings.EqualFold(n, strings.TrimSpace(name)) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: want one of info, low, medium, high, critical", name)
}

// MarshalText encodes s as its name.
func (s Severity) MarshalText() ([]byte, error) {
	if s.String() == "invalid" {
		return nil, fmt.Errorf("invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Status is the outcome of evaluating one rule against one target.
type Status string

// Statuses. Skip means the check could not run (and says why); it is never
// reported as Pass.
const (
	StatusPass   Status = "pass"
	StatusFail   Status = "fail"
	StatusWarn   Status = "warn"
	StatusWaived Status = "waived"
	StatusSkip   Status = "skip"
)

// Rule is the metadata of one rule: what it demands, why, and how to fix a
// violation. Packages that enforce and check rules keep their own catalog of
// Rules together with the functions that apply and check them.
type Rule struct {
	ID       ID       `json:"id"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	// CIS holds the CIS Docker Benchmark v1.6.0 references, e.g. "5.26":
	// the baseline the other benchmarks' numbers are derived from (see
	// References and Translate).
	CIS []string `json:"cis,omitempty"`
	// Refs declares the references in a benchmark explicitly, overriding
	// the derivation from CIS: for a control that exists only in some
	// benchmarks, or one CIS renumbered irregularly. An empty list means
	// "no control in that benchmark".
	Refs        map[Benchmark][]string `json:"refs,omitempty"`
	Rationale   string                 `json:"rationale"`
	Remediation string                 `json:"remediation"`
}

// Validate reports what is missing or malformed in r.
func (r Rule) Validate() error {
	var problems []string
	if !r.ID.Valid() {
		problems = append(problems, fmt.Sprintf("id %q does not follow the area.name scheme", r.ID))
	}
	if r.Title == "" {
		problems = append(problems, "no title")
	}
	if r.Severity < SeverityInfo || r.Severity > SeverityCritical {
		problems = append(problems, "no valid severity")
	}
	if r.Rationale == "" {
		problems = append(problems, "no rationale")
	}
	if r.Remediation == "" {
		problems = append(problems, "no remediation")
	}
	for _, c := range r.CIS {
		if !dottedNumbers(c) {
			problems = append(problems, fmt.Sprintf("CIS reference %q is not dotted numbers", c))
		}
	}
	for b, refs := range r.Refs {
		if !b.Valid() {
			problems = append(problems, fmt.Sprintf("references for unknown benchmark %q", b))
		}
		for _, c := range refs {
			if !dottedNumbers(c) {
				problems = append(problems, fmt.Sprintf("%s reference %q is not dotted numbers", b, c))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("rule %s: %s", r.ID, strings.Join(problems, "; "))
	}
	return nil
}

// Finding is the result of one rule on one target. Its JSON form is the
// stable shape every safedock audit emits.
type Finding struct {
	Rule ID `json:"rule"`
	// CIS holds the references in the report's benchmark (DefaultBenchmark
	// unless the report was rendered with Report.ForBenchmark).
	CIS         []string `json:"cis"`
	Status      Status   `json:"status"`
	Severity    Severity `json:"severity"`
	Target      string   `json:"target"`           // e.g. "container:web", "file:/etc/docker/daemon.json"
	Reason      string   `json:"reason"`           // short, one line
	Detail      string   `json:"detail,omitempty"` // the exact field and value
	Remediation string   `json:"remediation,omitempty"`
	Method      string   `json:"method,omitempty"` // how it was decided, e.g. "inspect", "top", "proc"
	// Waiver says who waived a waived finding (or whose claimed waiver was
	// refused); nil for findings no waiver touched and for waivers given
	// in code (Waivers).
	Waiver *WaiverUse `json:"waiver,omitempty"`
}

// Result is what a check function returns before it is bound to a rule and
// a target: a status with a reason and a detail.
type Result struct {
	Status Status
	Reason string
	Detail string
	Method string
	// Waiver is copied to the Finding (see Finding.Waiver).
	Waiver *WaiverUse
}

// Pass returns a passing Result.
func Pass(reason, detail string) Result {
	return Result{Status: StatusPass, Reason: reason, Detail: detail}
}

// Fail returns a failing Result.
func Fail(reason, detail string) Result {
	return Result{Status: StatusFail, Reason: reason, Detail: detail}
}

// Warn returns a warning Result: something a person must confirm.
func Warn(reason, detail string) Result {
	return Result{Status: StatusWarn, Reason: reason, Detail: detail}
}

// Skip returns a Result for a check that could not run; reason says why.
func Skip(reason string) Result {
	return Result{Status: StatusSkip, Reason: reason}
}

// Finding binds res to rule r and target. Remediation is attached to
// failures, warnings and waivers, where a reader needs it.
func (r Rule) Finding(target string, res Result) Finding {
	f := Finding{
		Rule:     r.ID,
		CIS:      r.References(DefaultBenchmark),
		Status:   res.Status,
		Severity: r.Severity,
		Target:   target,
		Reason:   res.Reason,
		Detail:   res.Detail,
		Method:   res.Method,
		Waiver:   res.Waiver,
	}
	if res.Status == StatusFail || res.Status == StatusWarn || res.Status == StatusWaived {
		f.Remediation = r.Remediation
	}
	return f
}

// Waivers records the rules a caller has deliberately loosened, each with a
// reason. A waived rule is reported with StatusWaived, never as passed.
// The zero value is an empty set, ready to use.
type Waivers map[ID]string

// Waive records a waiver for id. The reason must not be empty.
func (w Waivers) Waive(id ID, reason string) error {
	if !id.Valid() {
		return fmt.Errorf("waive %q: not a rule ID", id)
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("waive %s: a waiver needs a reason", id)
	}
	w[id] = strings.TrimSpace(reason)
	return nil
}

// Apply turns a failing or warning result for a waived rule into a waived
// one, keeping what was found in the detail. Other results are unchanged.
func (w Waivers) Apply(id ID, res Result) Result {
	reason, ok := w[id]
	if !ok || (res.Status != StatusFail && res.Status != StatusWarn) {
		return res
	}
	detail := res.Reason
	if res.Detail != "" {
		detail += ": " + res.Detail
	}
	return Result{Status: StatusWaived, Reason: "waived: " + reason, Detail: detail, Method: res.Method}
}

// Catalog is an ordered list of rules owned by one package.
type Catalog []Rule

// Validate checks every rule and that no ID appears twice.
func (c Catalog) Validate() error {
	seen := map[ID]bool{}
	var errs []error
	for _, r := range c {
		if err := r.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("rule %s: declared twice", r.ID))
		}
		seen[r.ID] = true
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// Clone returns a copy that shares nothing with c (CIS lists included), for
// packages that hand out their catalog to callers who may change it.
func (c Catalog) Clone() Catalog {
	out := slices.Clone(c)
	for i := range out {
		out[i].CIS = slices.Clone(out[i].CIS)
		if out[i].Refs != nil {
			refs := make(map[Benchmark][]string, len(out[i].Refs))
			for b, v := range out[i].Refs {
				refs[b] = slices.Clone(v)
			}
			out[i].Refs = refs
		}
	}
	return out
}

// Lookup returns the rule with the given ID.
func (c Catalog) Lookup(id ID) (Rule, bool) {
	for _, r := range c {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Violation is the error returned when a configuration breaks a rule that was
// not waived. Use errors.As to get at the rule IDs.
type Violation struct {
	Rule   ID
	Reason string
	Detail string
	Fix    string // what to change, usually the rule's remediation
}

// Error describes the violation and what to change.
func (v *Violation) Error() string {
	msg := fmt.Sprintf("%s: %s", v.Rule, v.Reason)
	if v.Detail != "" {
		msg += " (" + v.Detail + ")"
	}
	if v.Fix != "" {
		msg += "; " + v.Fix
	}
	return msg
}

// MarshalJSON lets a Severity appear by name inside other JSON documents even
// when used as a map key's value.
func (s Severity) MarshalJSON() ([]byte, error) {
	b, err := s.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// Violations returns every *Violation in err's tree (errors.Join and %w
// wrapping followed), in order. errors.As finds only the first; a refused
// spec usually breaks several rules at once.
func Violations(err error) []*Violation {
	var out []*Violation
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *Violation:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}
