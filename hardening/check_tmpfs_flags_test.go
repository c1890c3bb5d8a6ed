package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/policy"

	"github.com/safedock/safedock/rule"
)

func TestTmpfsFlags(t *testing.T) {
	tmpfs := func(rw bool, opts string) func(s *Subject) {
		return func(s *Subject) {
			s.Mounts = []Mount{{Type: mount.TypeTmpfs, Destination: "/scratch", RW: rw, Options: opts}}
		}
	}
	judgeCases(t, checkTmpfsFlags, []judgeCase{
		{"no tmpfs", nil, rule.StatusPass},
		{"the default", tmpfs(true, policy.DefaultTmpfs), rule.StatusPass},
		{"exec", tmpfs(true, "rw,exec,size=10m"), rule.StatusFail},
		{"suid", tmpfs(true, "rw,noexec,suid"), rule.StatusFail},
		{"dev", tmpfs(true, "rw,noexec,nosuid, dev"), rule.StatusFail},
		{"read-only with exec", tmpfs(false, "ro,exec"), rule.StatusPass},
	})
}
