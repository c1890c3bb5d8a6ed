package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkReadOnlyRootfs binds container.read-only-rootfs to its judge.
var checkReadOnlyRootfs = rule.Bind(containerRules, rule.ContainerReadOnlyRootfs, judgeReadOnlyRootfs)

// applyReadOnlyRootfs is the builder's default for
// container.read-only-rootfs: a read-only root filesystem.
func applyReadOnlyRootfs(sp *Spec) { sp.HostConfig.ReadonlyRootfs = true }

// judgeReadOnlyRootfs judges container.read-only-rootfs.
func judgeReadOnlyRootfs(s *Subject) rule.Result {
	if !s.HostConfig.ReadonlyRootfs {
		return rule.Fail("root filesystem is writable", "HostConfig.ReadonlyRootfs=false")
	}
	return rule.Pass("root filesystem is read-only", "HostConfig.ReadonlyRootfs=true")
}
