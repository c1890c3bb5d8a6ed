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

// An incomplete report says so in every format: SARIF marks the invocation
// unsuccessful with one notification per gap (and still validates), text
// ends with the gaps, JSON carries them.
func TestIncompleteReportRendering(t *testing.T) {
	r := rule.NewReport([]rule.Finding{{Rule: rule.ContainerPrivileged, Status: rule.StatusWaived, Severity: rule.SeverityCritical, Target: "container:x", Reason: "waived: trust me",
		Waiver: &rule.WaiverUse{Claimed: "trust me"}}}).
		WithGaps(rule.Gap{Section: "containers", Failed: 3, Total: 40, Reason: "3 of 40 containers could not be inspected: boom"})
	var sarif bytes.Buffer
	require.NoError(t, report.Write(&sarif, r, report.SARIF, report.Options{Rules: rule.ContainerRules()}))
	require.NoError(t, sariftest.Validate(sarif.Bytes()))
	var doc struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &doc))
	assert.Contains(t, sarif.String(), `"status": "underReview"`, "a label waiver no file approves is not an accepted suppression")
	require.Len(t, doc.Runs[0].Invocations, 1)
	assert.False(t, doc.Runs[0].Invocations[0].ExecutionSuccessful)
	assert.Equal(t, "containers: 3 of 40 containers could not be inspected: boom", doc.Runs[0].Invocations[0].ToolExecutionNotifications[0].Message.Text)

	var text bytes.Buffer
	require.NoError(t, report.Write(&text, r, report.Text, report.Options{}))
	assert.Contains(t, text.String(), "INCOMPLETE: containers: 3 of 40 containers could not be inspected")
	assert.Contains(t, text.String(), "not a clean result")
	assert.Contains(t, text.String(), "1 of the waived findings are waived by labels alone")

	var js bytes.Buffer
	require.NoError(t, report.Write(&js, r, report.JSON, report.Options{}))
	assert.Contains(t, js.String(), `"waived_unapproved": 1`)
	assert.Contains(t, js.String(), `"incomplete": true`)
	assert.Contains(t, js.String(), `"failed": 3`)

	// A complete report's one invocation succeeded and has nothing to say.
	sarif.Reset()
	require.NoError(t, report.Write(&sarif, rule.NewReport(nil), report.SARIF, report.Options{}))
	var done struct {
		Runs []struct {
			Invocations []map[string]any `json:"invocations"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(sarif.Bytes(), &done))
	require.Len(t, done.Runs[0].Invocations, 1)
	assert.Equal(t, map[string]any{"executionSuccessful": true}, done.Runs[0].Invocations[0])
}
