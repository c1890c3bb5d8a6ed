package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestTmpfsFlags(t *testing.T) {
	tmpfs := func(dest string, opts ...string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: dest, Type: "tmpfs", Source: "tmpfs", Options: opts})
		}
	}
	judgeCases(t, rule.ContainerTmpfsFlags, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "/dev", edit: tmpfs("/dev", "nosuid", "mode=755"), want: rule.StatusPass},
		{name: "read-only", edit: tmpfs("/run", "ro"), want: rule.StatusPass},
		{name: "exec", edit: tmpfs("/run", "nosuid", "nodev"), want: rule.StatusFail},
	})
	spec := &specs.Spec{Mounts: []specs.Mount{{Destination: "/run", Type: "tmpfs", Source: "tmpfs", Options: []string{"rw"}}}}
	if err := Apply(spec); err != nil {
		t.Fatal(err)
	}
	for _, f := range policy.TmpfsFlags() {
		if !hasOpt(spec.Mounts[0], f) {
			t.Errorf("Apply left /run without %s: %v", f, spec.Mounts[0].Options)
		}
	}
}
