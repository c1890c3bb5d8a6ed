package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestNetworkIsolation(t *testing.T) {
	on := func(mode string, nets map[string]*NetworkFacts) func(s *Subject) {
		return func(s *Subject) { s.HostConfig.NetworkMode, s.Networks = container.NetworkMode(mode), nets }
	}
	judgeCases(t, checkNetworkIsolation, []judgeCase{
		{"none", on("none", nil), rule.StatusPass},
		{"host", on("host", nil), rule.StatusFail},
		{"another container's", on("container:db", nil), rule.StatusPass},
		{"the default bridge", on("", nil), rule.StatusFail},
		{"the default bridge, inspected with ICC off", on("bridge", map[string]*NetworkFacts{"bridge": {Name: "bridge"}}), rule.StatusPass},
		{"a network with ICC off", on("isolated", map[string]*NetworkFacts{"isolated": {Name: "isolated"}}), rule.StatusPass},
		{"a network with ICC on", on("shared", map[string]*NetworkFacts{"shared": {Name: "shared", ICC: true}}), rule.StatusFail},
		{"a network not inspected", on("isolated", nil), rule.StatusSkip},
	})
}
