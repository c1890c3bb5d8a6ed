package hardening

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkCapabilities binds container.capabilities to its judge.
var checkCapabilities = rule.Bind(containerRules, rule.ContainerCapabilities, judgeCapabilities)

// applyCapabilities is the builder's default for container.capabilities:
// drop ALL.
func applyCapabilities(sp *Spec) { sp.HostConfig.CapDrop = []string{"ALL"} }

// judgeCapabilities judges container.capabilities: ALL dropped, no
// dangerous capability added back, not privileged.
func judgeCapabilities(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.Privileged {
		return rule.Fail("privileged: every capability is granted", "HostConfig.Privileged=true")
	}
	var bad []string
	for _, c := range hc.CapAdd {
		if policy.IsDangerousCapability(c) {
			bad = append(bad, policy.NormalizeCapability(c))
		}
	}
	if len(bad) > 0 {
		return rule.Fail("powerful capabilities added: "+strings.Join(bad, ", "), fmt.Sprintf("HostConfig.CapAdd=%v", hc.CapAdd))
	}
	dropsAll := slices.ContainsFunc(hc.CapDrop, func(c string) bool { return policy.NormalizeCapability(c) == policy.AllCapabilities })
	if !dropsAll {
		return rule.Fail("default capabilities are kept: ALL is not dropped", fmt.Sprintf("HostConfig.CapDrop=%v", hc.CapDrop))
	}
	if len(hc.CapAdd) > 0 {
		return rule.Pass("all capabilities dropped; named ones added back", fmt.Sprintf("HostConfig.CapAdd=%v", hc.CapAdd))
	}
	return rule.Pass("all capabilities dropped", "HostConfig.CapDrop=[ALL]")
}
