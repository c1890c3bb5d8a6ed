package rule

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// A waiver file lists the waivers a reviewer approved:
//
//	waivers:
//	  - rule: container.privileged
//	    target: container:emulator      # a finding target; * and ? globs allowed
//	    reason: needs /dev/kvm for the emulator tests
//	    expires: 2027-06-30
//	    approved-by: security-team
//
// Every key is required and no other key is accepted. A waiver holds through
// the whole of its expiry day (UTC) and has expired from the next day on.
//
// With a waiver file, a waiver claimed on a target itself (the
// io.safedock.waive.<rule> label anyone who can create a container can set)
// holds only when an entry approves it; the file may also waive a rule for
// targets that claim nothing. Without one, claimed waivers hold but are
// counted as unapproved (Summary.WaivedUnapproved).

// MaxWaiverFile bounds the size of a waiver file.
const MaxWaiverFile = 1 << 20

// WaiverEntry is one approved waiver.
type WaiverEntry struct {
	Rule ID
	// Target is a finding target ("container:emulator"), where * matches
	// any run of characters and ? any one character.
	Target     string
	Reason     string
	ApprovedBy string
	// Expires is the last day the waiver holds, at 00:00 UTC.
	Expires time.Time
	// Line is the entry's line in the file.
	Line int
}

// ExpiresOn returns the expiry day as YYYY-MM-DD.
func (e WaiverEntry) ExpiresOn() string { return e.Expires.Format(time.DateOnly) }

// Expired reports whether the waiver no longer holds at now.
func (e WaiverEntry) Expired(now time.Time) bool {
	return !now.Before(e.Expires.AddDate(0, 0, 1))
}

// Matches reports whether the entry is about rule id on target.
func (e WaiverEntry) Matches(id ID, target string) bool {
	return e.Rule == id && globMatch(e.Target, target)
}

// WaiverFile is a parsed waiver file.
type WaiverFile struct {
	// Name is how messages name the file (its path).
	Name    string
	Entries []WaiverEntry
}

// waiverKeys are the keys of an entry, in the order messages list them.
var waiverKeys = []string{"rule", "target", "reason", "expires", "approved-by"}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line ([0-9]+): (.*)$`) })

// ParseWaivers parses a waiver file; name is used in messages. Rule IDs are
// checked against cat (any valid ID is accepted when cat is empty). Errors
// name the line and the field: "waivers.yaml:7: entry 2: field "expires":
// bad date "2027-13-01", want YYYY-MM-DD".
func ParseWaivers(data []byte, name string, cat Catalog) (*WaiverFile, error) {
	if name == "" {
		name = "waivers"
	}
	fail := func(line int, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if line > 0 {
			return fmt.Errorf("parsing waiver file %s:%d: %s", name, line, msg)
		}
		return fmt.Errorf("parsing waiver file %s: %s", name, msg)
	}
	if len(data) > MaxWaiverFile {
		return nil, fail(0, "larger than %d bytes", MaxWaiverFile)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail(0, "empty file (an empty list is written \"waivers: []\")")
	}
	var doc struct {
		Waivers *[]yaml.Node `yaml:"waivers"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, fail(0, `no "waivers" list (an empty one is written "waivers: []")`)
	} else if err != nil {
		return nil, yamlErr(err, fail)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fail(extra.Line, "more than one YAML document")
	}
	wf := &WaiverFile{Name: name, Entries: []WaiverEntry{}}
	if doc.Waivers == nil {
		return nil, fail(0, `no "waivers" list (an empty one is written "waivers: []")`)
	}
	for i := range *doc.Waivers {
		n := &(*doc.Waivers)[i]
		entry := fmt.Sprintf("entry %d", i+1)
		if n.Kind != yaml.MappingNode {
			return nil, fail(n.Line, "%s: want a mapping with keys %s", entry, strings.Join(waiverKeys, ", "))
		}
		vals := map[string]*yaml.Node{}
		for k := 0; k+1 < len(n.Content); k += 2 {
			key, val := n.Content[k], n.Content[k+1]
			if !slices.Contains(waiverKeys, key.Value) {
				return nil, fail(key.Line, "%s: unknown field %q (want %s)", entry, key.Value, strings.Join(waiverKeys, ", "))
			}
			if _, dup := vals[key.Value]; dup {
				return nil, fail(key.Line, "%s: field %q given twice", entry, key.Value)
			}
			if val.Kind != yaml.ScalarNode || strings.TrimSpace(val.Value) == "" {
				return nil, fail(val.Line, "%s: field %q: want a non-empty string", entry, key.Value)
			}
			vals[key.Value] = val
		}
		for _, k := range waiverKeys {
			if vals[k] == nil {
				return nil, fail(n.Line, "%s: field %q is missing", entry, k)
			}
		}
		e := WaiverEntry{
			Rule:       ID(strings.TrimSpace(vals["rule"].Value)),
			Target:     strings.TrimSpace(vals["target"].Value),
			Reason:     strings.TrimSpace(vals["reason"].Value),
			ApprovedBy: strings.TrimSpace(vals["approved-by"].Value),
			Line:       n.Line,
		}
		switch _, known := cat.Lookup(e.Rule); {
		case !e.Rule.Valid():
			return nil, fail(vals["rule"].Line, "%s: field \"rule\": %q is not a rule ID", entry, e.Rule)
		case len(cat) > 0 && !known:
			return nil, fail(vals["rule"].Line, "%s: field \"rule\": unknown rule %q", entry, e.Rule)
		}
		day := strings.TrimSpace(vals["expires"].Value)
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return nil, fail(vals["expires"].Line, "%s: field \"expires\": bad date %q, want YYYY-MM-DD", entry, day)
		}
		e.Expires = t
		wf.Entries = append(wf.Entries, e)
	}
	return wf, nil
}

// yamlErr turns the YAML decoder's errors into "FILE:LINE: message".
func yamlErr(err error, fail func(int, string, ...any) error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msgs = te.Errors
	}
	line := 0
	msg := strings.TrimPrefix(msgs[0], "yaml: ")
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = m[2]
	}
	if f, ok := strings.CutPrefix(msg, "field "); ok && strings.Contains(f, " not found in type") {
		f, _, _ = strings.Cut(f, " not found in type")
		msg = fmt.Sprintf("unknown field %q (the file holds one key, \"waivers\")", f)
	}
	if strings.Contains(msg, "cannot unmarshal") {
		msg = "want a mapping with one key, \"waivers\", holding a list of entries (" + msg + ")"
	}
	return fail(line, "%s", msg)
}

// Lookup returns the entry of f about rule id on target: the first one
// that holds at now, else the expired one that expired last. ok is false
// when no entry is about it.
func (f *WaiverFile) Lookup(id ID, target string, now time.Time) (e WaiverEntry, ok bool) {
	if f == nil {
		return WaiverEntry{}, false
	}
	for _, c := range f.Entries {
		if !c.Matches(id, target) {
			continue
		}
		if !c.Expired(now) {
			return c, true
		}
		if !ok || c.Expires.After(e.Expires) {
			e, ok = c, true
		}
	}
	return e, ok
}

// WaiverUse records how a waiver decided a finding.
type WaiverUse struct {
	// Claimed is the reason the target's own label gave, if any.
	Claimed string `json:"claimed,omitempty"`
	// Approved is true when a waiver file entry approves the waiver.
	Approved bool `json:"approved"`
	// Expired is true when the approving entry has expired.
	Expired bool `json:"expired,omitempty"`
	// Reason, ApprovedBy and Expires come from the waiver file's entry,
	// Entry is "FILE:LINE".
	Reason     string `json:"reason,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Expires    string `json:"expires,omitempty"`
	Entry      string `json:"entry,omitempty"`
}

// WaiverPolicy decides which waivers hold: the ones a waiver file
// approves, or, without a file, every claimed one (counted as unapproved).
// An authorization plugin and the audit share it.
type WaiverPolicy struct {
	// File lists the approved waivers; nil means there is no file.
	File *WaiverFile
	// Now is the time expiry is judged at (nil: time.Now).
	Now func() time.Time
}

// Judge decides the result res of rule id on target, given claim, the
// reason of a waiver claimed on the target itself ("" for none). Only a
// failing or warning result can be waived; others are returned unchanged.
//
//   - No file: a claimed waiver holds (StatusWaived, Waiver.Approved false).
//   - An entry that holds approves the waiver, claimed or not: StatusWaived
//     with both reasons.
//   - An expired entry: StatusFail, saying it expired.
//   - A claim no entry approves: StatusFail, saying so.
func (p WaiverPolicy) Judge(id ID, target, claim string, res Result) Result {
	if res.Status != StatusFail && res.Status != StatusWarn {
		return res
	}
	claim = strings.TrimSpace(claim)
	found := res.Reason
	if res.Detail != "" {
		found += ": " + res.Detail
	}
	if p.File == nil {
		if claim == "" {
			return res
		}
		return Result{Status: StatusWaived, Reason: "waived: " + claim + " (claimed by label; no waiver file approves it)", Detail: found, Method: res.Method,
			Waiver: &WaiverUse{Claimed: claim}}
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	e, ok := p.File.Lookup(id, target, now)
	if !ok {
		if claim == "" {
			return res
		}
		return Result{Status: StatusFail, Reason: fmt.Sprintf("waiver claimed by label, not approved in %s: %s", p.File.Name, claim), Detail: found, Method: res.Method,
			Waiver: &WaiverUse{Claimed: claim}}
	}
	use := &WaiverUse{Claimed: claim, Approved: true, Reason: e.Reason, ApprovedBy: e.ApprovedBy, Expires: e.ExpiresOn(), Entry: fmt.Sprintf("%s:%d", p.File.Name, e.Line)}
	if e.Expired(now) {
		use.Approved, use.Expired = false, true
		return Result{Status: StatusFail, Reason: fmt.Sprintf("waiver expired on %s (%s, approved by %s: %s)", e.ExpiresOn(), use.Entry, e.ApprovedBy, e.Reason), Detail: found, Method: res.Method, Waiver: use}
	}
	reason := fmt.Sprintf("waived: %s (approved by %s until %s, %s)", e.Reason, e.ApprovedBy, e.ExpiresOn(), use.Entry)
	if claim != "" {
		reason = fmt.Sprintf("waived: %s; approved by %s until %s: %s (%s)", claim, e.ApprovedBy, e.ExpiresOn(), e.Reason, use.Entry)
	}
	return Result{Status: StatusWaived, Reason: reason, Detail: found, Method: res.Method, Waiver: use}
}

// globMatch matches s against pattern, where * matches any run of
// characters (slashes and colons included) and ? any one character.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
