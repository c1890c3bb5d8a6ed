package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostPID(t *testing.T) {
	judgeCases(t, rule.ContainerHostPID, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "none", edit: func(s *specs.Spec) { setNS(s, "pid", "", true) }, want: rule.StatusFail},
		{name: "pid 1's", edit: func(s *specs.Spec) { setNS(s, "pid", "/proc/1/ns/pid", false) }, want: rule.StatusFail},
		{name: "the runtime's", edit: func(s *specs.Spec) { setNS(s, "pid", "/proc/self/ns/pid", false) }, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "pid", "/proc/4242/ns/pid", false) }, want: rule.StatusWarn},
	})
	// Apply refuses to join the host's namespace.
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: "pid", Path: "/proc/1/ns/pid"}}}}
	if err := Apply(spec); !violates(err, rule.ContainerHostPID) {
		t.Errorf("Apply of the host's pid namespace: %v", err)
	}
}
