package rule_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestChecksValidateThemselves(t *testing.T) {
	good := rule.Bind(rule.ContainerRules(), rule.ContainerPrivileged, func(b bool) rule.Result {
		if b {
			return rule.Fail("privileged", "")
		}
		return rule.Pass("not privileged", "")
	})
	require.NoError(t, rule.Checks[bool]{good}.Validate())

	unknown := rule.Bind(rule.ContainerRules(), "container.no-such-rule", func(bool) rule.Result { return rule.Pass("", "") })
	noJudge := rule.Check[bool]{Rule: good.Rule}
	err := rule.Checks[bool]{good, unknown, noJudge}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "container.no-such-rule: no title")
	assert.Contains(t, err.Error(), "container.privileged: declared twice")
	assert.Contains(t, err.Error(), "container.privileged: no judge")
}

func TestChecksEvaluateInOrderWithWaivers(t *testing.T) {
	cat := rule.ContainerRules()
	cs := rule.Checks[int]{
		rule.Bind(cat, rule.ContainerPrivileged, func(n int) rule.Result { return rule.Fail("bad", "n") }),
		rule.Bind(cat, rule.ContainerHostPID, func(n int) rule.Result { return rule.Pass("ok", "") }),
	}
	fs := cs.Evaluate("container:x", 1, rule.Waivers{rule.ContainerPrivileged: "lab"})
	require.Len(t, fs, 2)
	assert.Equal(t, rule.StatusWaived, fs[0].Status)
	assert.Equal(t, rule.StatusPass, fs[1].Status)
	assert.Equal(t, "container:x", fs[1].Target)

	c := cs.Catalog()
	c[0].Title = "changed"
	assert.NotEqual(t, "changed", cs.Catalog()[0].Title, "Catalog is a copy")
	_, ok := cs.Lookup(rule.ContainerHostPID)
	assert.True(t, ok)
}

func TestMustValidatePanicsOnAMalformedCatalog(t *testing.T) {
	ok := rule.Checks[int]{rule.Bind(rule.ContainerRules(), rule.ContainerPrivileged, func(int) rule.Result { return rule.Pass("", "") })}
	assert.NotPanics(t, func() { ok.MustValidate() })
	bad := rule.Checks[int]{{Rule: rule.Rule{ID: "container.x"}}}
	assert.PanicsWithValue(t, "invalid rule catalog: "+bad.Validate().Error(), func() { bad.MustValidate() })
}
