package hardening

import (
	"fmt"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkMemoryLimit binds container.memory-limit to its judge.
var checkMemoryLimit = rule.Bind(containerRules, rule.ContainerMemoryLimit, judgeMemoryLimit)

// applyMemoryLimit is the builder's default for container.memory-limit:
// policy.DefaultMemory.
func applyMemoryLimit(sp *Spec) { sp.HostConfig.Memory = policy.DefaultMemory }

// judgeMemoryLimit judges container.memory-limit.
func judgeMemoryLimit(s *Subject) rule.Result {
	if s.HostConfig.Memory <= 0 {
		return rule.Fail("no memory limit", "HostConfig.Memory=0")
	}
	return rule.Pass("memory limited", fmt.Sprintf("HostConfig.Memory=%d", s.HostConfig.Memory))
}
