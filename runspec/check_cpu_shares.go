package runspec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkCPUShares binds container.cpu-shares to its judge.
var checkCPUShares = rule.Bind(containerRules, rule.ContainerCPUShares, judgeCPUShares)

// applyCPUShares sets the shares WithCPUShares names, or policy's default
// when the spec has the runtime's (unset, 0 or 1024).
func applyCPUShares(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).CPU
	switch {
	case s.cpuShares > 0:
	case waived || (cur != nil && cur.Shares != nil && *cur.Shares != 0 && *cur.Shares != 1024):
		return nil
	default:
		s.cpuShares = uint64(policy.DefaultCPUShares)
	}
	if res.CPU == nil {
		res.CPU = &specs.LinuxCPU{}
	}
	res.CPU.Shares = &s.cpuShares
	return nil
}

func judgeCPUShares(in subject) rule.Result {
	c := resources(in.spec).CPU
	if c == nil || c.Shares == nil || *c.Shares == 0 || *c.Shares == 1024 {
		v := "unset"
		if c != nil && c.Shares != nil {
			v = fmt.Sprint(*c.Shares)
		}
		return rule.Fail("CPU shares are the default", "linux.resources.cpu.shares "+v)
	}
	return rule.Pass("CPU shares set", fmt.Sprintf("linux.resources.cpu.shares %d", *c.Shares))
}
