package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestHostDevices(t *testing.T) {
	allow := func(typ string, major, minor int64) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: typ, Major: ptr(major), Minor: ptr(minor), Access: "rwm"})
		}
	}
	judgeCases(t, rule.ContainerHostDevices, []judgeCase{
		{name: "deny all", want: rule.StatusPass},
		{name: "/dev/null", edit: allow("c", 1, 3), want: rule.StatusPass},
		{name: "a pty", edit: allow("c", 136, 4), want: rule.StatusPass},
		{name: "a disk", edit: allow("b", 8, 0), want: rule.StatusFail},
		{name: "no deny-all", edit: func(s *specs.Spec) { s.Linux.Resources.Devices = nil }, want: rule.StatusFail},
		{name: "no linux", edit: func(s *specs.Spec) { s.Linux = nil }, want: rule.StatusFail},
	})
	spec := &specs.Spec{Linux: &specs.Linux{Devices: []specs.LinuxDevice{{Path: "/dev/sda", Type: "b", Major: 8}}}}
	if err := Apply(spec); !violates(err, rule.ContainerHostDevices) {
		t.Errorf("Apply with /dev/sda: %v", err)
	}
}
