package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

// wholeHostSections goes with htmlSample: host skipped, daemon complete,
// containers incomplete.
func wholeHostSections() []rule.SectionResult {
	return []rule.SectionResult{
		{Section: rule.SectionHost, Skipped: "the daemon is remote"},
		{Section: rule.SectionDaemon, Findings: 2, Duration: 1500 * time.Microsecond},
		{Section: rule.SectionContainers, Findings: 3, Duration: 2 * time.Millisecond, Incomplete: true, Failed: 1, Total: 3, Error: "1 of 3 containers could not be inspected: boom"},
	}
}

// TestSectionedText: a whole-host report is one block per section, with its
// counts, in the order given; the errors that stop dockerd are announced
// first and lead their section; passes show only with Passed; an
// incomplete section is marked and counted; colour only when asked.
func TestSectionedText(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, htmlSample(), report.Text, report.Options{Sections: wholeHostSections()}))
	out := buf.String()
	lines := strings.Split(out, "\n")
	assert.Equal(t, "DOCKERD WOULD NOT START: 1 error(s) in its configuration (first in the daemon section)", lines[0])
	assert.Equal(t, "== host: 0 fail, 0 warn, 0 waived, 0 skip, 0 pass (0s)", lines[1])
	assert.Equal(t, "   skipped: the daemon is remote", lines[2])
	assert.Equal(t, "== daemon: 2 fail, 0 warn, 0 waived, 0 skip, 0 pass (1.5ms)", lines[3])
	assert.True(t, strings.HasPrefix(lines[4], "   FAIL   critical file:/etc/docker/daemon.json daemon.valid-config: "), lines[4])
	assert.Contains(t, out, "== containers: INCOMPLETE 1 fail, 0 warn, 0 waived, 1 skip, 1 pass (2ms)\n   incomplete: 1 of 3 containers could not be inspected: boom\n")
	assert.NotContains(t, out, "container:ok", "passes hidden without Passed")
	assert.Contains(t, out, "INCOMPLETE: 1 of 3 sections did not examine everything; this is not a clean result\n")
	assert.Contains(t, out, "benchmark: CIS Docker Benchmark v1.8.0; safedock v1.0.0;")
	assert.NotContains(t, out, "\x1b[")

	buf.Reset()
	require.NoError(t, report.Write(&buf, htmlSample(), report.Text, report.Options{Sections: wholeHostSections(), Passed: true, Colour: true}))
	assert.Contains(t, buf.String(), "container:ok")
	assert.Contains(t, buf.String(), "\x1b[31mDOCKERD WOULD NOT START")
}

// TestSectionedJSON: a whole-host report's JSON is the report with its
// sections, the shape of the module root's Report.
func TestSectionedJSON(t *testing.T) {
	r, secs := htmlSample(), wholeHostSections()
	var buf bytes.Buffer
	require.NoError(t, report.Write(&buf, r, report.JSON, report.Options{Sections: secs}))
	want, err := json.MarshalIndent(struct {
		rule.Report
		Sections []rule.SectionResult `json:"sections"`
	}{r, secs}, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(want)+"\n", buf.String())

	buf.Reset()
	require.NoError(t, report.Write(&buf, r, report.JSON, report.Options{}))
	assert.NotContains(t, buf.String(), `"sections"`, "a report without sections has none")
}
