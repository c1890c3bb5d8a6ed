package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/sariftest"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

type sarifMeta struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Properties     struct {
					Revision string `json:"revision"`
				} `json:"properties"`
				Rules []struct {
					ID         string `json:"id"`
					Help       struct{ Text string }
					Properties struct {
						CIS  []string `json:"cis"`
						Tags []string `json:"tags"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExecutionSuccessful        bool   `json:"executionSuccessful"`
			EndTimeUTC                 string `json:"endTimeUtc"`
			ToolExecutionNotifications []struct {
				Level          string
				Message        struct{ Text string }
				AssociatedRule struct {
					ID    string `json:"id"`
					Index int    `json:"index"`
				} `json:"associatedRule"`
				Locations []struct {
					LogicalLocations []struct{ FullyQualifiedName string } `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          struct {
				Status string `json:"status"`
				Target string `json:"target"`
				CIS    []string
			} `json:"properties"`
		} `json:"results"`
		Properties struct {
			Benchmark string             `json:"benchmark"`
			Host      *rule.HostIdentity `json:"host"`
			FailOn    string             `json:"fail_on"`
		} `json:"properties"`
	} `json:"runs"`
}

func renderSARIF(t *testing.T, r rule.Report, cat rule.Catalog) (sarifMeta, []byte) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, report.SARIF, report.Options{Rules: cat, ToolVersion: "v1.2.3", ToolRevision: "0123456789abcdef"}))
	require.NoError(t, sariftest.Validate(buf.Bytes()), "SARIF 2.1.0 schema")
	var m sarifMeta
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	require.Len(t, m.Runs, 1)
	return m, buf.Bytes()
}

// TestSARIFWhoWhatWhen: the run names the tool's version and revision, when
// it ended, whether it examined everything, the benchmark and the host;
// skips are notifications with their rule and target, not results; every
// result has a fingerprint that is stable across runs on one host and
// differs between hosts.
func TestSARIFWhoWhatWhen(t *testing.T) {
	base, cat := sample()
	hostA := base.WithMeta(rule.Meta{Generated: "2026-12-01T00:00:00Z", FailOn: "high",
		Host: &rule.HostIdentity{Hostname: "a", DaemonID: "AAAA:1111", Engine: "Docker Engine", EngineVersion: "29.7.2"}})
	m, raw := renderSARIF(t, hostA, cat)
	run := m.Runs[0]
	assert.Equal(t, "v1.2.3", run.Tool.Driver.Version)
	assert.Equal(t, "0123456789abcdef", run.Tool.Driver.Properties.Revision)
	require.Len(t, run.Invocations, 1)
	inv := run.Invocations[0]
	assert.True(t, inv.ExecutionSuccessful)
	assert.Equal(t, "2026-12-01T00:00:00Z", inv.EndTimeUTC)
	assert.Equal(t, "cis-1.8.0", run.Properties.Benchmark)
	assert.Equal(t, "high", run.Properties.FailOn)
	require.NotNil(t, run.Properties.Host)
	assert.Equal(t, "AAAA:1111", run.Properties.Host.DaemonID)

	// The one skip of the sample is a notification, not a result.
	for _, r := range run.Results {
		assert.NotEqual(t, "skip", r.Properties.Status, "skip %s emitted as a result", r.RuleID)
	}
	require.Len(t, inv.ToolExecutionNotifications, 1)
	n := inv.ToolExecutionNotifications[0]
	assert.Equal(t, "note", n.Level)
	assert.Equal(t, string(rule.ContainerLogRotation), n.AssociatedRule.ID)
	assert.Equal(t, string(rule.ContainerLogRotation), run.Tool.Driver.Rules[n.AssociatedRule.Index].ID)
	require.Len(t, n.Locations, 1)
	require.Len(t, n.Locations[0].LogicalLocations, 1)
	assert.Equal(t, "container:db", n.Locations[0].LogicalLocations[0].FullyQualifiedName)
	assert.Contains(t, n.Message.Text, "log driver is the daemon's default")

	// Fingerprints: one per result, unique, stable.
	fpA := map[string]string{}
	for _, r := range run.Results {
		fp := r.PartialFingerprints["safedockFinding/v1"]
		require.Len(t, fp, 64, "%s %s", r.RuleID, r.Properties.Target)
		key := r.RuleID + " " + r.Properties.Target
		for k, v := range fpA {
			assert.NotEqual(t, v, fp, "%s and %s share a fingerprint", k, key)
		}
		fpA[key] = fp
	}
	_, again := renderSARIF(t, hostA, cat)
	assert.Equal(t, raw, again, "the same report renders the same SARIF")

	// The same findings on another host: every fingerprint differs.
	hostB := hostA.WithMeta(rule.Meta{Host: &rule.HostIdentity{Hostname: "b", DaemonID: "BBBB:2222"}})
	mb, _ := renderSARIF(t, hostB, cat)
	require.Len(t, mb.Runs[0].Results, len(run.Results))
	for _, r := range mb.Runs[0].Results {
		key := r.RuleID + " " + r.Properties.Target
		assert.NotEqual(t, fpA[key], r.PartialFingerprints["safedockFinding/v1"], "%s: two hosts' alerts collide", key)
	}
}

// TestSARIFBenchmarkNumbers: rules and results cite the report's benchmark.
func TestSARIFBenchmarkNumbers(t *testing.T) {
	nnp := rule.Rule{ID: "daemon.no-new-privileges", Title: "no-new-privileges is the default", Severity: rule.SeverityMedium, CIS: []string{"2.14"},
		Rationale: "r", Remediation: "Set \"no-new-privileges\": true."}
	cat := rule.Catalog{nnp}
	rep := rule.NewReport([]rule.Finding{nnp.Finding("file:/etc/docker/daemon.json", rule.Fail("no-new-privileges is not true", ""))})
	for _, c := range []struct {
		bench rule.Benchmark
		want  string
	}{{rule.CIS160, "2.14"}, {rule.CIS170, "2.14"}, {rule.CIS180, "2.15"}} {
		m, _ := renderSARIF(t, rep.ForBenchmark(c.bench, cat), cat)
		run := m.Runs[0]
		assert.Equal(t, string(c.bench), run.Properties.Benchmark)
		require.Len(t, run.Tool.Driver.Rules, 1)
		d := run.Tool.Driver.Rules[0]
		assert.Equal(t, []string{c.want}, d.Properties.CIS, "%s rule", c.bench)
		assert.Contains(t, d.Properties.Tags, "CIS-"+c.want)
		assert.Contains(t, d.Help.Text, c.bench.Title()+": "+c.want)
		assert.Equal(t, []string{c.want}, run.Results[0].Properties.CIS, "%s result", c.bench)
	}
}

// TestSARIFFileLocationIsThePath: a file target with a note ("(absent:
// defaults)") is located at the file itself.
func TestSARIFFileLocationIsThePath(t *testing.T) {
	rl := rule.Rule{ID: "daemon.icc", Title: "icc off", Severity: rule.SeverityMedium, CIS: []string{"2.2"}, Rationale: "r", Remediation: "m"}
	rep := rule.NewReport([]rule.Finding{rl.Finding("file:/etc/docker/daemon.json (absent: defaults)", rule.Fail("icc is not false", "icc: true (default)"))})
	_, raw := renderSARIF(t, rep, rule.Catalog{rl})
	assert.Contains(t, string(raw), `"uri": "file:///etc/docker/daemon.json"`)
	assert.Contains(t, string(raw), `"target": "file:/etc/docker/daemon.json (absent: defaults)"`)
}
