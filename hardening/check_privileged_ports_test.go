package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/rule"
)

func TestPrivilegedPorts(t *testing.T) {
	publish := func(host string) func(s *Subject) {
		return hc(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("8080/tcp"): {{HostPort: host}}}
		})
	}
	judgeCases(t, checkPrivilegedPorts, []judgeCase{
		{"nothing published", nil, rule.StatusPass},
		{"80", publish("80"), rule.StatusFail},
		{"a range from 1000", publish("1000-1100"), rule.StatusFail},
		{"8080", publish("8080"), rule.StatusPass},
		{"an ephemeral port", publish(""), rule.StatusPass},
	})
}
