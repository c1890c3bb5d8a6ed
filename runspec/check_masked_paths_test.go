package runspec

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestMaskedPaths(t *testing.T) {
	judgeCases(t, SpecMaskedPaths, []judgeCase{
		{name: "Docker's", want: rule.StatusPass},
		{name: "a parent masked", edit: func(s *specs.Spec) { s.Linux.MaskedPaths = append(s.Linux.MaskedPaths, "/proc") }, want: rule.StatusPass},
		{name: "only 20.10's", edit: func(s *specs.Spec) {
			s.Linux.MaskedPaths = slices.DeleteFunc(s.Linux.MaskedPaths, func(p string) bool { return slices.Contains(newMasked, p) })
		}, want: rule.StatusWarn},
		{name: "/proc/sys writable", edit: func(s *specs.Spec) {
			s.Linux.ReadonlyPaths = slices.DeleteFunc(s.Linux.ReadonlyPaths, func(p string) bool { return p == "/proc/sys" })
		}, want: rule.StatusFail},
		{name: "sysfs writable", edit: func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/host-sys", Type: "bind", Source: "/sys/fs/cgroup", Options: []string{"rbind", "rw"}})
		}, want: rule.StatusFail},
		{name: "no linux", edit: func(s *specs.Spec) { s.Linux = nil }, want: rule.StatusFail},
	})
	spec := &specs.Spec{Mounts: []specs.Mount{{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "rw"}}}}
	if err := Apply(spec, WithAddedMaskedPaths("/proc/foo")); err != nil {
		t.Fatal(err)
	}
	if !readOnly(spec.Mounts[0]) || !slices.Contains(spec.Linux.MaskedPaths, "/proc/foo") || !slices.Contains(spec.Linux.MaskedPaths, "/proc/kcore") {
		t.Errorf("Apply: mount %v, masked %v", spec.Mounts[0].Options, spec.Linux.MaskedPaths)
	}
}
