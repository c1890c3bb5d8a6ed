package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestReadOnlyRootfs(t *testing.T) {
	judgeCases(t, rule.ContainerReadOnlyRootfs, []judgeCase{
		{name: "read-only", want: rule.StatusPass},
		{name: "no root", edit: func(s *specs.Spec) { s.Root = nil }, want: rule.StatusFail},
	})
	if spec := applied(t); !spec.Root.Readonly || spec.Root.Path != "rootfs" {
		t.Errorf("Apply: root %+v", spec.Root)
	}
}
