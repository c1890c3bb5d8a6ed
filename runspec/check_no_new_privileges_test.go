package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestNoNewPrivileges(t *testing.T) {
	judgeCases(t, rule.ContainerNoNewPrivileges, []judgeCase{
		{name: "set", want: rule.StatusPass},
		{name: "no process", edit: func(s *specs.Spec) { s.Process = nil }, want: rule.StatusFail},
	})
	if !applied(t).Process.NoNewPrivileges {
		t.Error("Apply did not set process.noNewPrivileges")
	}
}
