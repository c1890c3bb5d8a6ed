package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostNetwork(t *testing.T) {
	judgeCases(t, rule.ContainerHostNetwork, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "none", edit: func(s *specs.Spec) { setNS(s, "network", "", true) }, want: rule.StatusFail},
		{name: "pid 1's", edit: func(s *specs.Spec) { setNS(s, "network", "/proc/1/ns/net", false) }, want: rule.StatusFail},
		{name: "the runtime's", edit: func(s *specs.Spec) { setNS(s, "network", "/proc/self/ns/net", false) }, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "network", "/proc/4242/ns/net", false) }, want: rule.StatusWarn},
	})
	// Apply refuses to join the host's namespace.
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: "network", Path: "/proc/1/ns/net"}}}}
	if err := Apply(spec); !violates(err, rule.ContainerHostNetwork) {
		t.Errorf("Apply of the host's network namespace: %v", err)
	}
}
