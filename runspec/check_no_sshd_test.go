package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestNoSSHD(t *testing.T) {
	judgeCases(t, rule.ContainerNoSSHD, []judgeCase{
		{name: "probe", want: rule.StatusPass},
		{name: "dropbear", edit: func(s *specs.Spec) { s.Process.Args = []string{"dropbear", "-F"} }, want: rule.StatusFail},
		{name: "no args", edit: func(s *specs.Spec) { s.Process.Args = nil }, want: rule.StatusPass},
	})
	spec := &specs.Spec{Process: &specs.Process{Args: []string{"/usr/sbin/sshd", "-D"}, Cwd: "/"}}
	if err := Apply(spec); !violates(err, rule.ContainerNoSSHD) {
		t.Errorf("Apply of sshd: %v", err)
	}
}
