package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/rule"
)

func TestMountPropagation(t *testing.T) {
	bind := func(p mount.Propagation) func(s *Subject) {
		return func(s *Subject) {
			s.Mounts = []Mount{{Type: mount.TypeBind, Source: "/srv", Destination: "/srv", Propagation: p}}
		}
	}
	judgeCases(t, checkMountPropagation, []judgeCase{
		{"no mounts", nil, rule.StatusPass},
		{"rprivate", bind(mount.PropagationRPrivate), rule.StatusPass},
		{"rslave", bind(mount.PropagationRSlave), rule.StatusPass},
		{"shared", bind(mount.PropagationShared), rule.StatusFail},
		{"rshared", bind(mount.PropagationRShared), rule.StatusFail},
	})
}
