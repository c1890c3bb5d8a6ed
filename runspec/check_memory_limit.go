package runspec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkMemoryLimit binds container.memory-limit to its judge.
var checkMemoryLimit = rule.Bind(containerRules, rule.ContainerMemoryLimit, judgeMemoryLimit)

// applyMemoryLimit sets the limit WithMemory names, or policy's default
// when the spec has none.
func applyMemoryLimit(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).Memory
	switch {
	case s.memory > 0:
	case waived || (cur != nil && cur.Limit != nil && *cur.Limit > 0):
		return nil
	default:
		s.memory = policy.DefaultMemory
	}
	if res.Memory == nil {
		res.Memory = &specs.LinuxMemory{}
	}
	res.Memory.Limit = &s.memory
	return nil
}

func judgeMemoryLimit(in subject) rule.Result {
	m := resources(in.spec).Memory
	if m == nil || m.Limit == nil || *m.Limit <= 0 {
		return rule.Fail("no memory limit", "linux.resources.memory.limit unset")
	}
	return rule.Pass("memory is limited", fmt.Sprintf("linux.resources.memory.limit %d", *m.Limit))
}
