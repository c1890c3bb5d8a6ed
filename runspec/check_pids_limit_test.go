package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestPidsLimit(t *testing.T) {
	judgeCases(t, rule.ContainerPidsLimit, []judgeCase{
		{name: "limited", want: rule.StatusPass},
		{name: "unlimited", edit: func(s *specs.Spec) { s.Linux.Resources.Pids.Limit = ptr[int64](-1) }, want: rule.StatusFail},
	})
	if p := applied(t).Linux.Resources.Pids; p == nil || *p.Limit != policy.DefaultPidsLimit {
		t.Errorf("Apply: pids %+v, want policy.DefaultPidsLimit", p)
	}
}
