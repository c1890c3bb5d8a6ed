package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

// htmlSample is an incomplete report with a dockerd-stopping error, every
// status, and values that must be escaped.
func htmlSample() rule.Report {
	valid := rule.Rule{ID: "daemon.valid-config", Title: "dockerd accepts the file", Severity: rule.SeverityCritical, Rationale: "r", Remediation: "Fix each error."}
	nnp := rule.Rule{ID: "daemon.no-new-privileges", Title: "nnp", Severity: rule.SeverityMedium, CIS: []string{"2.14"}, Rationale: "r", Remediation: "Set \"no-new-privileges\": true."}
	priv := rule.Rule{ID: "container.privileged", Title: "not privileged", Severity: rule.SeverityCritical, CIS: []string{"5.5"}, Rationale: "r", Remediation: "Remove --privileged."}
	fs := []rule.Finding{
		priv.Finding("container:<script>alert(1)</script>", rule.Fail("container is privileged", `HostConfig.Privileged=true "&'`)),
		priv.Finding("container:ok", rule.Pass("not privileged", "")),
		priv.Finding("container:gone", rule.Skip("inspect failed")),
		nnp.Finding("file:/etc/docker/daemon.json", rule.Fail("no-new-privileges is not true", "")),
		valid.Finding("file:/etc/docker/daemon.json", rule.Fail("dockerd refuses to start with this file", `unknown key "x"`)),
	}
	r := rule.NewReport(fs).WithGaps(rule.Gap{Section: "containers", Failed: 1, Total: 3, Reason: "1 of 3 containers could not be inspected: boom"})
	return r.WithMeta(rule.Meta{Tool: &rule.Tool{Name: "safedock", Version: "v1.0.0"}, Generated: "2026-12-01T00:00:00Z", FailOn: "high",
		Host: &rule.HostIdentity{Hostname: "h<1>", DaemonID: "ID:1", Engine: "Docker Engine", EngineVersion: "29.7.2"}})
}

// TestHTMLReport: the page is self-contained, escapes every value, marks
// the incomplete section, lists the dockerd-stopping error first and the
// other failures before everything else, and names the benchmark.
func TestHTMLReport(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, htmlSample(), report.HTML, report.Options{
		Sections: []rule.SectionResult{{Section: rule.SectionHost, Skipped: "the daemon is remote"}, {Section: rule.SectionDaemon}, {Section: rule.SectionContainers}}}))
	page := buf.String()
	if p := os.Getenv("SAFEDOCK_KEEP_HTML"); p != "" {
		_ = os.WriteFile(p, buf.Bytes(), 0o644)
	}
	assert.NotContains(t, page, "<script>alert(1)</script>", "targets are escaped")
	assert.Contains(t, page, "container:&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, page, "h&lt;1&gt;")
	assert.NotRegexp(t, `(?i)<(link|img|iframe)\b|\b(src|href)\s*=|url\(`, page)
	assert.Equal(t, 1, strings.Count(page, "<script>"), "one inline script")
	assert.Contains(t, page, `id="incomplete"`)
	assert.Regexp(t, `data-section="containers"><td>containers</td>.*INCOMPLETE</span>: 1 of 3 containers could not be inspected: boom`, page)
	assert.Contains(t, page, "skipped: the daemon is remote")
	assert.Contains(t, page, `id="stops"`)
	assert.Contains(t, page, "CIS Docker Benchmark v1.8.0")

	rows := regexp.MustCompile(`<tr class="finding" data-section="([^"]*)" data-status="([^"]*)" data-rule="([^"]*)">`).FindAllStringSubmatch(page, -1)
	require.Len(t, rows, 5)
	assert.Equal(t, "daemon.valid-config", rows[0][3], "the error that stops dockerd comes first")
	assert.Equal(t, []string{"fail", "fail", "fail", "skip", "pass"}, []string{rows[0][2], rows[1][2], rows[2][2], rows[3][2], rows[4][2]})
	assert.Equal(t, "container.privileged", rows[1][3], "critical before medium")
	// Sections in the order given, then those only findings name.
	secs := regexp.MustCompile(`<tr class="section[^"]*" data-section="([^"]*)"`).FindAllStringSubmatch(page, -1)
	require.Len(t, secs, 3)
	assert.Equal(t, []string{"host", "daemon", "containers"}, []string{secs[0][1], secs[1][1], secs[2][1]})
}

// TestTextReportUnpaddedStopsFirst: the plain text renderer pads no line
// and lists the errors that stop dockerd first; it names the benchmark.
func TestTextReportUnpaddedStopsFirst(t *testing.T) {
	var buf bytes.Buffer
	r := htmlSample()
	require.NoError(t, report.Write(&buf, r, report.Text, report.Options{Passed: true}))
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	for i, l := range lines {
		assert.Equal(t, strings.TrimRight(l, " \t"), l, "line %d padded", i+1)
	}
	assert.True(t, strings.HasPrefix(lines[0], "FAIL  critical  file:/etc/docker/daemon.json"), lines[0])
	assert.Contains(t, lines[0], "daemon.valid-config")
	assert.Contains(t, buf.String(), "benchmark: CIS Docker Benchmark v1.8.0; safedock v1.0.0; host h<1>, engine 29.7.2, daemon ID:1; 2026-12-01T00:00:00Z; fail-on high")
}
