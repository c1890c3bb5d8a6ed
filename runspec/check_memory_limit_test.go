package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestMemoryLimit(t *testing.T) {
	judgeCases(t, rule.ContainerMemoryLimit, []judgeCase{
		{name: "limited", want: rule.StatusPass},
		{name: "0", edit: func(s *specs.Spec) { s.Linux.Resources.Memory.Limit = ptr[int64](0) }, want: rule.StatusFail},
	})
	if m := applied(t).Linux.Resources.Memory; m == nil || *m.Limit != policy.DefaultMemory {
		t.Errorf("Apply: memory %+v, want policy.DefaultMemory", m)
	}
}
