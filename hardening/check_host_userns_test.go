package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostUserns(t *testing.T) {
	effectiveCases(t, rule.ContainerHostUserns, []effectiveCase{
		{"daemon userns-remap", HostFacts{Known: true, UsernsRemap: true}, nil, rule.StatusPass, MethodDaemonDefault},
		{"no remap", HostFacts{Known: true}, nil, rule.StatusPass, "config"},
	})
	judgeCases(t, checkHostUserns, []judgeCase{
		{"--userns=host", func(s *Subject) { s.Host.UsernsRemap, s.HostConfig.UsernsMode = false, "host" }, rule.StatusFail},
		{"--userns=host on a remapping daemon", hc(func(hc *container.HostConfig) { hc.UsernsMode = "host" }), rule.StatusFail},
	})
}
