package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostUTS(t *testing.T) {
	judgeCases(t, rule.ContainerHostUTS, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "none", edit: func(s *specs.Spec) { setNS(s, "uts", "", true) }, want: rule.StatusFail},
		{name: "pid 1's", edit: func(s *specs.Spec) { setNS(s, "uts", "/proc/1/ns/uts", false) }, want: rule.StatusFail},
		{name: "the runtime's", edit: func(s *specs.Spec) { setNS(s, "uts", "/proc/self/ns/uts", false) }, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "uts", "/proc/4242/ns/uts", false) }, want: rule.StatusWarn},
	})
	// Apply refuses to join the host's namespace.
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: "uts", Path: "/proc/1/ns/uts"}}}}
	if err := Apply(spec); !violates(err, rule.ContainerHostUTS) {
		t.Errorf("Apply of the host's uts namespace: %v", err)
	}
}
