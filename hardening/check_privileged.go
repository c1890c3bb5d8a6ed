package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkPrivileged binds container.privileged to its judge. The builder's
// default is the zero value: not privileged.
var checkPrivileged = rule.Bind(containerRules, rule.ContainerPrivileged, judgePrivileged)

// judgePrivileged judges container.privileged.
func judgePrivileged(s *Subject) rule.Result {
	if s.HostConfig.Privileged {
		return rule.Fail("container is privileged", "HostConfig.Privileged=true")
	}
	return rule.Pass("not privileged", "HostConfig.Privileged=false")
}
