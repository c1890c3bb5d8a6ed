package rule_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestContainerCatalogValidates(t *testing.T) {
	require.NoError(t, rule.ContainerRules().Validate())
}

func TestCatalogValidateRejectsDuplicatesAndGaps(t *testing.T) {
	r := rule.Rule{ID: "container.x", Title: "t", Severity: rule.SeverityLow, Rationale: "r", Remediation: "m"}
	err := rule.Catalog{r, r}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "declared twice")

	bad := rule.Rule{ID: "Bad ID", CIS: []string{"five"}}
	err = rule.Catalog{bad}.Validate()
	require.Error(t, err)
	for _, want := range []string{"area.name", "no title", "no valid severity", "no rationale", "no remediation", `"five"`} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestCatalogIsACopy(t *testing.T) {
	a := rule.ContainerRules()
	a[0].Title = "changed"
	a[0].CIS[0] = "9.9"
	b := rule.ContainerRules()
	assert.NotEqual(t, "changed", b[0].Title)
	assert.NotEqual(t, "9.9", b[0].CIS[0])
}

func TestWaiversTurnFailuresIntoWaived(t *testing.T) {
	w := rule.Waivers{}
	require.Error(t, w.Waive(rule.ContainerPrivileged, "  "), "a waiver needs a reason")
	require.Error(t, w.Waive("nope", "reason"))
	require.NoError(t, w.Waive(rule.ContainerPrivileged, "GPU driver install job"))

	got := w.Apply(rule.ContainerPrivileged, rule.Fail("container is privileged", "HostConfig.Privileged=true"))
	assert.Equal(t, rule.StatusWaived, got.Status)
	assert.Contains(t, got.Reason, "GPU driver install job")
	assert.Contains(t, got.Detail, "HostConfig.Privileged=true")

	pass := w.Apply(rule.ContainerPrivileged, rule.Pass("not privileged", ""))
	assert.Equal(t, rule.StatusPass, pass.Status, "a waiver never changes a pass")
	other := w.Apply(rule.ContainerHostPID, rule.Fail("x", ""))
	assert.Equal(t, rule.StatusFail, other.Status, "a waiver covers only its rule")
}

func TestReportJSONShapeAndOrder(t *testing.T) {
	cat := rule.ContainerRules()
	priv, _ := cat.Lookup(rule.ContainerPrivileged)
	nnp, _ := cat.Lookup(rule.ContainerNoNewPrivileges)
	r := rule.NewReport([]rule.Finding{
		nnp.Finding("container:web", rule.Fail("no-new-privileges not set", "HostConfig.SecurityOpt=[]")),
		priv.Finding("container:db", rule.Pass("not privileged", "")),
		priv.Finding("container:web", rule.Skip("not inspected")),
	})
	require.Len(t, r.Findings, 3)
	assert.Equal(t, "container:db", r.Findings[0].Target)
	assert.Equal(t, rule.ContainerNoNewPrivileges, r.Findings[1].Rule)
	assert.Equal(t, 1, r.Summary.Fail)
	assert.Equal(t, 1, r.Summary.Skip)
	assert.Equal(t, 2, r.Summary.Targets)
	assert.True(t, r.Failed(rule.SeverityHigh))
	assert.False(t, r.Failed(rule.SeverityCritical))

	b, err := json.Marshal(r)
	require.NoError(t, err)
	s := string(b)
	for _, want := range []string{`"findings":[`, `"rule":"container.no-new-privileges"`, `"cis":["5.26"]`, `"status":"fail"`, `"severity":"high"`, `"target":"container:web"`, `"summary":{`} {
		assert.Contains(t, s, want)
	}
	assert.False(t, strings.Contains(s, `"remediation":""`))

	var back rule.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Findings, back.Findings)
}

func TestParseSeverity(t *testing.T) {
	s, err := rule.ParseSeverity("HIGH")
	require.NoError(t, err)
	assert.Equal(t, rule.SeverityHigh, s)
	_, err = rule.ParseSeverity("urgent")
	assert.ErrorContains(t, err, "want one of")
}

func TestCatalogCloneSharesNothing(t *testing.T) {
	c := rule.Catalog{{ID: "x.a", CIS: []string{"1.1"}}}
	d := c.Clone()
	d[0].CIS[0] = "9.9"
	d[0].ID = "x.b"
	assert.Equal(t, rule.Catalog{{ID: "x.a", CIS: []string{"1.1"}}}, c)
}

func TestViolationsWalksTheWholeTree(t *testing.T) {
	a := &rule.Violation{Rule: "container.privileged", Reason: "a"}
	b := &rule.Violation{Rule: "container.capabilities", Reason: "b"}
	c := &rule.Violation{Rule: "container.read-only-rootfs", Reason: "c"}
	err := fmt.Errorf("run x: %w", errors.Join(a, fmt.Errorf("build: %w", errors.Join(b, errors.New("plain"))), c))
	got := rule.Violations(err)
	if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
		t.Fatalf("Violations = %v, want [a b c]", got)
	}
	if rule.Violations(nil) != nil || rule.Violations(errors.New("x")) != nil {
		t.Fatal("no violations expected")
	}
}
