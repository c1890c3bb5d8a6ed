package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestSeccompIsWhatDockerdApplies(t *testing.T) {
	effectiveCases(t, rule.ContainerSeccomp, []effectiveCase{
		{"daemon seccomp unconfined", HostFacts{Known: true, SeccompProfile: "unconfined"}, nil, rule.StatusFail, MethodDaemonDefault},
		{"container profile over unconfined daemon", HostFacts{Known: true, SeccompProfile: "unconfined"}, []string{"seccomp=/p.json"}, rule.StatusPass, "config"},
		{"daemon custom profile", HostFacts{Known: true, SeccompProfile: "/etc/docker/seccomp.json"}, nil, rule.StatusPass, MethodDaemonDefault},
		{"daemon builtin", HostFacts{Known: true, SeccompProfile: "builtin"}, nil, rule.StatusPass, MethodDaemonDefault},
		{"container unconfined", HostFacts{Known: true}, []string{"seccomp=unconfined"}, rule.StatusFail, "config"},
	})
	judgeCases(t, checkSeccomp, []judgeCase{
		{"docker's default", nil, rule.StatusPass},
		{"privileged", hc(func(hc *container.HostConfig) { hc.Privileged = true }), rule.StatusFail},
	})
}

// dockerd applies security options in order, so the last of a key wins:
// an unconfined seccomp after the default one disables it.
func TestSecurityOptionLastOneWins(t *testing.T) {
	hc := &container.HostConfig{SecurityOpt: []string{"seccomp=/etc/docker/seccomp.json", "no-new-privileges:true", "seccomp=unconfined"}}
	v, ok := SecurityOption(hc, "seccomp")
	assert.True(t, ok)
	assert.Equal(t, "unconfined", v)
	_, err := Build(testImage, append(hardenedOpts(), WithSecurityOpt("seccomp=unconfined"))...)
	assert.Contains(t, violationIDs(err), rule.ContainerSeccomp)
}
