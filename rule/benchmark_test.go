package rule_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestParseBenchmark(t *testing.T) {
	for in, want := range map[string]rule.Benchmark{"": rule.CIS180, "cis-1.8.0": rule.CIS180, "1.7.0": rule.CIS170, "v1.6.0": rule.CIS160, " CIS-1.6.0 ": rule.CIS160} {
		got, err := rule.ParseBenchmark(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"cis-1.5.0", "1.8", "latest"} {
		_, err := rule.ParseBenchmark(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, "CIS Docker Benchmark v1.8.0", rule.CIS180.Title())
	assert.Equal(t, rule.CIS180, rule.DefaultBenchmark)
}

// TestTranslateSection2: 1.8.0 inserts 2.7 and shifts 1.6.0's 2.7–2.18 to
// 2.8–2.19; everything else, and every number in 1.7.0, stays.
func TestTranslateSection2(t *testing.T) {
	want180 := map[string]string{
		"2.1": "2.1", "2.2": "2.2", "2.6": "2.6", "2.7": "2.8", "2.8": "2.9", "2.9": "2.10", "2.13": "2.14",
		"2.14": "2.15", "2.15": "2.16", "2.16": "2.17", "2.17": "2.18", "2.18": "2.19",
		"1.1.3": "1.1.3", "1.2.2": "1.2.2", "3.18": "3.18", "4.6": "4.6", "5.26": "5.26", "5.32": "5.32", "7.4": "7.4",
	}
	for in, want := range want180 {
		assert.Equal(t, want, rule.Translate(rule.CIS180, in), "1.8.0 for 1.6.0's %s", in)
		assert.Equal(t, in, rule.Translate(rule.CIS170, in), "1.7.0 for 1.6.0's %s", in)
		assert.Equal(t, in, rule.Translate(rule.CIS160, in))
	}
	assert.Equal(t, "", rule.Translate("cis-0.1", "2.7"))
}

// TestReferencesExplicitAndDerived: explicit Refs win (an empty list is
// "none"), the rest is derived from CIS, and findings cite the default
// benchmark until a report is renumbered.
func TestReferencesExplicitAndDerived(t *testing.T) {
	nnp := rule.Rule{ID: "daemon.no-new-privileges", Title: "t", Severity: rule.SeverityMedium, CIS: []string{"2.14"}, Rationale: "r", Remediation: "m"}
	dm := rule.Rule{ID: "daemon.devicemapper", Title: "t", Severity: rule.SeverityMedium, Rationale: "r", Remediation: "m",
		Refs: map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {"2.7"}}}
	assert.Equal(t, []string{"2.14"}, nnp.References(rule.CIS160))
	assert.Equal(t, []string{"2.14"}, nnp.References(rule.CIS170))
	assert.Equal(t, []string{"2.15"}, nnp.References(rule.CIS180))
	assert.Equal(t, []string{}, dm.References(rule.CIS160))
	assert.Equal(t, []string{"2.7"}, dm.References(rule.CIS180))
	cat := rule.Catalog{nnp, dm}
	require.NoError(t, cat.Validate())
	require.NoError(t, cat.CheckReferences())

	f := nnp.Finding("file:/etc/docker/daemon.json", rule.Fail("no", ""))
	assert.Equal(t, []string{"2.15"}, f.CIS, "findings cite the default benchmark, 1.8.0")
	r := rule.NewReport([]rule.Finding{f, dm.Finding("file:/etc/docker/daemon.json", rule.Pass("no", ""))})
	old := r.ForBenchmark(rule.CIS160, cat)
	assert.Equal(t, rule.CIS160, old.Benchmark)
	assert.Equal(t, []string{"2.14"}, old.Findings[1].CIS, "%+v", old.Findings)
	assert.Equal(t, []string{}, old.Findings[0].CIS)
	assert.Equal(t, []string{"2.15"}, r.Findings[1].CIS, "ForBenchmark does not modify its receiver")
	b, err := json.Marshal(old)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"benchmark":"cis-1.6.0"`)

	// A rule with no reference and no explicit none fails the check.
	bare := rule.Rule{ID: "daemon.something-new", Title: "t", Severity: rule.SeverityLow, Rationale: "r", Remediation: "m"}
	err = rule.Catalog{bare}.CheckReferences()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "daemon.something-new: no reference in cis-1.6.0")
	bad := rule.Rule{ID: "daemon.x", Title: "t", Severity: rule.SeverityLow, Rationale: "r", Remediation: "m", Refs: map[rule.Benchmark][]string{"cis-9": {"x"}}}
	require.Error(t, rule.Catalog{bad}.Validate())
}

func TestReportMetadataAndMerge(t *testing.T) {
	r1 := rule.NewReport(nil).WithMeta(rule.Meta{Tool: &rule.Tool{Name: "safedock", Version: "v1"}, Generated: "2026-12-01T00:00:00Z", FailOn: "high"})
	r2 := rule.NewReport(nil).WithMeta(rule.Meta{Host: &rule.HostIdentity{Hostname: "h", DaemonID: "D"}})
	m := rule.Merge(r1, r2)
	require.NotNil(t, m.Tool)
	require.NotNil(t, m.Host)
	assert.Equal(t, "D", m.Host.Key())
	assert.Equal(t, "high", m.FailOn)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"tool":{"name":"safedock","version":"v1"},"generated":"2026-12-01T00:00:00Z","host":{"hostname":"h","daemon_id":"D"},"fail_on":"high","findings":[],"summary":{"total":0,"pass":0,"fail":0,"warn":0,"waived":0,"skip":0,"waived_unapproved":0,"incomplete":false,"fail_by_severity":{},"targets":0}}`, string(b))
	assert.Equal(t, "h", (&rule.HostIdentity{Hostname: "h"}).Key())
}
