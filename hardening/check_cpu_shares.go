package hardening

import (
	"fmt"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkCPUShares binds container.cpu-shares to its judge.
var checkCPUShares = rule.Bind(containerRules, rule.ContainerCPUShares, judgeCPUShares)

// applyCPUShares is the builder's default for container.cpu-shares:
// policy.DefaultCPUShares.
func applyCPUShares(sp *Spec) { sp.HostConfig.CPUShares = policy.DefaultCPUShares }

// judgeCPUShares judges container.cpu-shares: shares other than the
// default 1024, or a CPU quota.
func judgeCPUShares(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.CPUShares == 0 || hc.CPUShares == 1024 {
		if hc.NanoCPUs > 0 || hc.CPUQuota > 0 {
			return rule.Pass("CPU limited by quota", fmt.Sprintf("NanoCpus=%d CpuQuota=%d", hc.NanoCPUs, hc.CPUQuota))
		}
		return rule.Fail("CPU shares not set", fmt.Sprintf("HostConfig.CpuShares=%d", hc.CPUShares))
	}
	return rule.Pass("CPU shares set", fmt.Sprintf("HostConfig.CpuShares=%d", hc.CPUShares))
}
