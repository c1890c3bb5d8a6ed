package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostIPC(t *testing.T) {
	judgeCases(t, rule.ContainerHostIPC, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "none", edit: func(s *specs.Spec) { setNS(s, "ipc", "", true) }, want: rule.StatusFail},
		{name: "pid 1's", edit: func(s *specs.Spec) { setNS(s, "ipc", "/proc/1/ns/ipc", false) }, want: rule.StatusFail},
		{name: "the runtime's", edit: func(s *specs.Spec) { setNS(s, "ipc", "/proc/self/ns/ipc", false) }, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "ipc", "/proc/4242/ns/ipc", false) }, want: rule.StatusWarn},
	})
	// Apply refuses to join the host's namespace.
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: "ipc", Path: "/proc/1/ns/ipc"}}}}
	if err := Apply(spec); !violates(err, rule.ContainerHostIPC) {
		t.Errorf("Apply of the host's ipc namespace: %v", err)
	}
}
