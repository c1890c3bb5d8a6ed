package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestMountPropagation(t *testing.T) {
	judgeCases(t, rule.ContainerMountPropagation, []judgeCase{
		{name: "private", edit: func(s *specs.Spec) { s.Linux.RootfsPropagation = "rprivate" }, want: rule.StatusPass},
		{name: "a shared mount", edit: func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/srv/data", Options: []string{"rbind", "shared"}})
		}, want: rule.StatusFail},
	})
}
