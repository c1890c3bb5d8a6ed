package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestSELinux(t *testing.T) {
	judgeCases(t, checkSELinux, []judgeCase{
		{"host facts unknown", func(s *Subject) { s.Host = HostFacts{} }, rule.StatusSkip},
		{"host without SELinux", func(s *Subject) { s.Host.SELinux = false }, rule.StatusSkip},
		{"labels applied", nil, rule.StatusPass},
		{"privileged", hc(func(hc *container.HostConfig) { hc.Privileged = true }), rule.StatusFail},
		{"label=disable", hc(func(hc *container.HostConfig) { hc.SecurityOpt = []string{"label=disable"} }), rule.StatusFail},
		{"an option dockerd would not know", hc(func(hc *container.HostConfig) { hc.SecurityOpt = []string{"label=colour:blue"} }), rule.StatusFail},
	})
}

func TestParseSELinuxLabelReadsEveryLabelOption(t *testing.T) {
	hc := &container.HostConfig{SecurityOpt: []string{"no-new-privileges:true", "label=type:svirt_apache_t", "label:level:s0:c100,c200", "label=user:system_u", "label=role:system_r", "label=nested"}}
	l, ok, err := ParseSELinuxLabel(hc)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, SELinuxLabel{User: "system_u", Role: "system_r", Type: "svirt_apache_t", Level: "s0:c100,c200", Other: []string{"label=nested"}}, l)

	l, ok, err = ParseSELinuxLabel(&container.HostConfig{SecurityOpt: []string{"label=type:x", "label=disable"}})
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, l.Disable, "disable counts wherever it stands")

	_, ok, err = ParseSELinuxLabel(&container.HostConfig{SecurityOpt: []string{"label=colour:blue"}})
	assert.True(t, ok)
	require.ErrorContains(t, err, `unknown SELinux label option "label=colour:blue"`)

	_, ok, err = ParseSELinuxLabel(&container.HostConfig{SecurityOpt: []string{"seccomp=unconfined"}})
	require.NoError(t, err)
	assert.False(t, ok)
}

// label=disable fails the SELinux rule wherever it stands among the label
// options, not only first.
func TestSELinuxRuleReadsEveryLabelOption(t *testing.T) {
	_, err := Build(testImage, append(hardenedOpts(), WithSecurityOpt("label=type:svirt_apache_t"), WithSecurityOpt("label=disable"))...)
	require.Error(t, err)
	assert.Contains(t, violationIDs(err), rule.ContainerSELinux)

	sp, err := Build(testImage, append(hardenedOpts(), WithSecurityOpt("label=type:svirt_apache_t"))...)
	require.NoError(t, err)
	assert.Equal(t, rule.StatusPass, findingOf(Evaluate(sp.Subject()), rule.ContainerSELinux).Status)
}
