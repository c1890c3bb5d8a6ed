package rule_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

const goodWaivers = `# approved by the security team
waivers:
  - rule: container.privileged
    target: container:emulator      # a finding target
    reason: needs /dev/kvm for the emulator tests
    expires: 2027-06-30
    approved-by: security-team
  - rule: container.memory-limit
    target: "container:batch-*"
    reason: batch jobs size themselves
    expires: "2026-01-31"
    approved-by: platform
`

func TestParseWaivers(t *testing.T) {
	wf, err := rule.ParseWaivers([]byte(goodWaivers), "w.yaml", rule.ContainerRules())
	require.NoError(t, err)
	require.Len(t, wf.Entries, 2)
	e := wf.Entries[0]
	assert.Equal(t, rule.ContainerPrivileged, e.Rule)
	assert.Equal(t, "container:emulator", e.Target)
	assert.Equal(t, "needs /dev/kvm for the emulator tests", e.Reason)
	assert.Equal(t, "security-team", e.ApprovedBy)
	assert.Equal(t, "2027-06-30", e.ExpiresOn())
	assert.Equal(t, 3, e.Line)
	assert.Equal(t, "container:batch-*", wf.Entries[1].Target)
	assert.Equal(t, 8, wf.Entries[1].Line)

	empty, err := rule.ParseWaivers([]byte("waivers: []\n"), "w.yaml", nil)
	require.NoError(t, err)
	assert.Empty(t, empty.Entries)
}

// Malformed files are errors that name the file, the line and the field.
func TestParseWaiversErrors(t *testing.T) {
	entry := func(lines ...string) string {
		return "waivers:\n  - " + strings.Join(lines, "\n    ") + "\n"
	}
	full := []string{"rule: container.privileged", "target: container:x", "reason: r", "expires: 2027-06-30", "approved-by: me"}
	without := func(i int) string { return entry(append(append([]string{}, full[:i]...), full[i+1:]...)...) }
	for name, c := range map[string]struct{ doc, want string }{
		"unknown key":        {entry(append(full, "approver: bob")...), `w.yaml:7: entry 1: unknown field "approver"`},
		"unknown top key":    {"waiver:\n  - rule: x\n", `w.yaml:1: unknown field "waiver"`},
		"missing rule":       {without(0), `w.yaml:2: entry 1: field "rule" is missing`},
		"missing target":     {without(1), `w.yaml:2: entry 1: field "target" is missing`},
		"missing reason":     {without(2), `w.yaml:2: entry 1: field "reason" is missing`},
		"missing expires":    {without(3), `w.yaml:2: entry 1: field "expires" is missing`},
		"missing approver":   {without(4), `w.yaml:2: entry 1: field "approved-by" is missing`},
		"bad date":           {entry(full[0], full[1], full[2], "expires: 2027-13-01", full[4]), `w.yaml:5: entry 1: field "expires": bad date "2027-13-01", want YYYY-MM-DD`},
		"date with time":     {entry(full[0], full[1], full[2], "expires: 2027-06-30T10:00:00Z", full[4]), `field "expires": bad date`},
		"unknown rule":       {entry("rule: container.privilegd", full[1], full[2], full[3], full[4]), `w.yaml:2: entry 1: field "rule": unknown rule "container.privilegd"`},
		"not an ID":          {entry("rule: Privileged", full[1], full[2], full[3], full[4]), `field "rule": "Privileged" is not a rule ID`},
		"empty reason":       {entry(full[0], full[1], `reason: ""`, full[3], full[4]), `w.yaml:4: entry 1: field "reason": want a non-empty string`},
		"list reason":        {entry(full[0], full[1], "reason: [a, b]", full[3], full[4]), `field "reason": want a non-empty string`},
		"duplicate key":      {entry(append(full, "reason: again")...), `w.yaml:7`},
		"entry not a map":    {"waivers:\n  - just a string\n", `w.yaml:2: entry 1: want a mapping`},
		"top is a list":      {"- rule: x\n", `w.yaml:1: want a mapping with one key`},
		"no waivers key":     {"# nothing\n", `no "waivers" list`},
		"null waivers":       {"waivers:\n", `no "waivers" list`},
		"empty file":         {"  \n", "empty file"},
		"two documents":      {"waivers: []\n---\nwaivers: []\n", "more than one YAML document"},
		"syntax":             {"waivers: [\n", "w.yaml:"},
		"second entry wrong": {goodWaivers + "  - rule: container.privileged\n", `w.yaml:13: entry 3: field "target" is missing`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := rule.ParseWaivers([]byte(c.doc), "w.yaml", rule.ContainerRules())
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "parsing waiver file w.yaml"), err.Error())
		})
	}
}

func TestWaiverPolicyJudge(t *testing.T) {
	wf, err := rule.ParseWaivers([]byte(goodWaivers), "w.yaml", rule.ContainerRules())
	require.NoError(t, err)
	at := func(day string) func() time.Time {
		return func() time.Time { t, _ := time.Parse(time.DateOnly, day); return t.Add(23 * time.Hour) }
	}
	failing := rule.Fail("container is privileged", "HostConfig.Privileged=true")
	p := rule.WaiverPolicy{File: wf, Now: at("2026-12-01")}

	// Approved, and claimed by label: waived with both reasons.
	got := p.Judge(rule.ContainerPrivileged, "container:emulator", "trust me", failing)
	assert.Equal(t, rule.StatusWaived, got.Status)
	assert.Contains(t, got.Reason, "trust me")
	assert.Contains(t, got.Reason, "needs /dev/kvm for the emulator tests")
	assert.Contains(t, got.Reason, "security-team")
	assert.Equal(t, "container is privileged: HostConfig.Privileged=true", got.Detail)
	require.NotNil(t, got.Waiver)
	assert.True(t, got.Waiver.Approved)
	assert.Equal(t, "w.yaml:3", got.Waiver.Entry)

	// Approved without a label: the file alone waives it.
	got = p.Judge(rule.ContainerPrivileged, "container:emulator", "", failing)
	assert.Equal(t, rule.StatusWaived, got.Status)
	assert.True(t, got.Waiver.Approved)

	// Claimed by label, not in the file: fail.
	got = p.Judge(rule.ContainerPrivileged, "container:other", "trust me", failing)
	assert.Equal(t, rule.StatusFail, got.Status)
	assert.Contains(t, got.Reason, "waiver claimed by label, not approved in w.yaml")
	assert.False(t, got.Waiver.Approved)

	// Not claimed, not in the file: unchanged.
	assert.Equal(t, failing, p.Judge(rule.ContainerPrivileged, "container:other", "", failing))
	// Passing results are never touched.
	pass := rule.Pass("not privileged", "")
	assert.Equal(t, pass, p.Judge(rule.ContainerPrivileged, "container:emulator", "x", pass))

	// Glob targets; an entry holds through its expiry day.
	mem := rule.Fail("no memory limit", "")
	got = rule.WaiverPolicy{File: wf, Now: at("2026-01-31")}.Judge(rule.ContainerMemoryLimit, "container:batch-7", "", mem)
	assert.Equal(t, rule.StatusWaived, got.Status, "on its expiry day")
	got = rule.WaiverPolicy{File: wf, Now: at("2026-02-01")}.Judge(rule.ContainerMemoryLimit, "container:batch-7", "", mem)
	assert.Equal(t, rule.StatusFail, got.Status, "the day after")
	assert.Contains(t, got.Reason, "waiver expired on 2026-01-31")
	assert.True(t, got.Waiver.Expired)
	got = rule.WaiverPolicy{File: wf, Now: at("2026-02-01")}.Judge(rule.ContainerMemoryLimit, "container:batch-7", "label says so", mem)
	assert.Equal(t, rule.StatusFail, got.Status)
	assert.Contains(t, got.Reason, "expired")

	// Without a file, a claimed waiver holds, unapproved.
	got = rule.WaiverPolicy{}.Judge(rule.ContainerPrivileged, "container:x", "trust me", failing)
	assert.Equal(t, rule.StatusWaived, got.Status)
	require.NotNil(t, got.Waiver)
	assert.False(t, got.Waiver.Approved)
	s := rule.Summarize([]rule.Finding{{Rule: rule.ContainerPrivileged, Status: got.Status, Waiver: got.Waiver}, {Status: rule.StatusWaived}})
	assert.Equal(t, 2, s.Waived)
	assert.Equal(t, 1, s.WaivedUnapproved)
}

func TestWaiverGlob(t *testing.T) {
	wf := &rule.WaiverFile{Entries: []rule.WaiverEntry{{Rule: "a.b"}}}
	for pattern, cases := range map[string]map[string]bool{
		"container:emulator": {"container:emulator": true, "container:emulator2": false, "container:emulato": false},
		"container:*":        {"container:x": true, "container:": true, "image:x": false},
		"*":                  {"file:/etc/docker/daemon.json": true},
		"file:/etc/*.json":   {"file:/etc/docker/daemon.json": true, "file:/etc/x.yaml": false},
		"container:web-?":    {"container:web-1": true, "container:web-10": false},
		"*a*b*":              {"xxaxxbxx": true, "ba": false},
	} {
		wf.Entries[0].Target = pattern
		wf.Entries[0].Expires = time.Now().AddDate(1, 0, 0)
		for target, want := range cases {
			_, ok := wf.Lookup("a.b", target, time.Now())
			assert.Equal(t, want, ok, "%q ~ %q", pattern, target)
		}
	}
}

func TestIncompleteError(t *testing.T) {
	err := fmt.Errorf("audit containers: %w", &rule.IncompleteError{What: "containers", Failed: 5, Total: 40, Errs: []error{
		errors.New("a: boom"), errors.New("b: boom"), context.DeadlineExceeded, errors.New("d"), errors.New("e"),
	}})
	var inc *rule.IncompleteError
	require.ErrorAs(t, err, &inc)
	assert.Equal(t, 5, inc.Failed)
	assert.ErrorIs(t, err, rule.ErrIncomplete)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, "audit containers: 5 of 40 containers could not be inspected: a: boom; b: boom; context deadline exceeded; and 2 more", err.Error())

	g := rule.GapFrom("containers", err)
	assert.Equal(t, 5, g.Failed)
	assert.Equal(t, 40, g.Total)
	r := rule.NewReport(nil)
	assert.True(t, r.Complete())
	r = r.WithGaps(g)
	assert.False(t, r.Complete())
	assert.True(t, r.Summary.Incomplete)
	m := rule.Merge(rule.NewReport(nil), r)
	assert.False(t, m.Complete(), "merging keeps gaps")
}

func FuzzParseWaivers(f *testing.F) {
	f.Add([]byte(goodWaivers))
	f.Add([]byte("waivers: []\n"))
	f.Add([]byte("waivers:\n  - rule: container.privileged\n    target: '*'\n"))
	f.Add([]byte("waivers: {a: b}\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	cat := rule.ContainerRules()
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, err := rule.ParseWaivers(data, "f.yaml", cat)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "parsing waiver file f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range wf.Entries {
			if _, ok := cat.Lookup(e.Rule); !ok {
				t.Fatalf("accepted unknown rule %q", e.Rule)
			}
			if e.Target == "" || e.Reason == "" || e.ApprovedBy == "" || e.Expires.IsZero() || e.Line <= 0 {
				t.Fatalf("accepted an incomplete entry: %+v", e)
			}
			_, _ = wf.Lookup(e.Rule, e.Target, time.Now())
		}
	})
}
