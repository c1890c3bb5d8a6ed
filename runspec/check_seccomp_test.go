package runspec

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestSeccompJudgement(t *testing.T) {
	spec := base(t)
	spec.Linux.Seccomp.Syscalls = append(spec.Linux.Seccomp.Syscalls, specs.LinuxSyscall{Names: []string{"mount"}, Action: specs.ActAllow})
	if f := statusOf(Check(spec), rule.ContainerSeccomp); f.Status != rule.StatusFail || !strings.Contains(f.Detail, "mount") {
		t.Errorf("mount allowed: %s %s", f.Status, f.Detail)
	}
	spec.Linux.Seccomp.DefaultAction = specs.ActLog
	if f := statusOf(Check(spec), rule.ContainerSeccomp); f.Status != rule.StatusFail {
		t.Errorf("log default: %s", f.Status)
	}
}
