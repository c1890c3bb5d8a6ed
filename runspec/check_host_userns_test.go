package runspec

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostUserns(t *testing.T) {
	maps := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	own := func(s *specs.Spec) {
		setNS(s, "user", "", false)
		s.Linux.UIDMappings, s.Linux.GIDMappings = slices.Clone(maps), slices.Clone(maps)
	}
	judgeCases(t, rule.ContainerHostUserns, []judgeCase{
		{name: "none", want: rule.StatusWarn},
		{name: "own, mapped", edit: own, want: rule.StatusPass},
		{name: "own, no mappings", edit: func(s *specs.Spec) { setNS(s, "user", "", false) }, want: rule.StatusFail},
		{name: "maps host root", edit: func(s *specs.Spec) {
			own(s)
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 1}}
		}, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "user", "/proc/4242/ns/user", false) }, want: rule.StatusWarn},
	})
	spec := applied(t, WithUserNamespace(maps, maps))
	if _, ok := findNS(spec, "user"); !ok || !slices.Equal(spec.Linux.UIDMappings, maps) || !slices.Equal(spec.Linux.GIDMappings, maps) {
		t.Errorf("WithUserNamespace: namespaces %v, mappings %v/%v", spec.Linux.Namespaces, spec.Linux.UIDMappings, spec.Linux.GIDMappings)
	}
}
