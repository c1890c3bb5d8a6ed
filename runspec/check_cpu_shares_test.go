package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestCPUShares(t *testing.T) {
	judgeCases(t, rule.ContainerCPUShares, []judgeCase{
		{name: "set", want: rule.StatusPass},
		{name: "0", edit: func(s *specs.Spec) { s.Linux.Resources.CPU.Shares = ptr[uint64](0) }, want: rule.StatusFail},
		{name: "unset", edit: func(s *specs.Spec) { s.Linux.Resources.CPU = nil }, want: rule.StatusFail},
	})
	if c := applied(t).Linux.Resources.CPU; c == nil || *c.Shares != uint64(policy.DefaultCPUShares) {
		t.Errorf("Apply: cpu %+v, want policy.DefaultCPUShares", c)
	}
}
