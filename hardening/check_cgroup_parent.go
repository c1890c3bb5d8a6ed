package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkCgroupParent binds container.cgroup-parent to its judge. The
// builder's default is the daemon's cgroup parent.
var checkCgroupParent = rule.Bind(containerRules, rule.ContainerCgroupParent, judgeCgroupParent)

// judgeCgroupParent judges container.cgroup-parent: a custom parent warns.
func judgeCgroupParent(s *Subject) rule.Result {
	if p := s.HostConfig.CgroupParent; p != "" {
		return rule.Warn("custom cgroup parent: confirm it is intended", fmt.Sprintf("HostConfig.CgroupParent=%q", p))
	}
	return rule.Pass("daemon's default cgroup parent", "HostConfig.CgroupParent is empty")
}
