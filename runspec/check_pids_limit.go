package runspec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkPidsLimit binds container.pids-limit to its judge.
var checkPidsLimit = rule.Bind(containerRules, rule.ContainerPidsLimit, judgePidsLimit)

// applyPidsLimit sets the limit WithPidsLimit names, or policy's default
// when the spec has none.
func applyPidsLimit(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).Pids
	switch {
	case s.pids > 0:
	case waived || (cur != nil && cur.Limit != nil && *cur.Limit > 0):
		return nil
	default:
		s.pids = policy.DefaultPidsLimit
	}
	res.Pids = &specs.LinuxPids{Limit: &s.pids}
	return nil
}

func judgePidsLimit(in subject) rule.Result {
	p := resources(in.spec).Pids
	if p == nil || p.Limit == nil || *p.Limit <= 0 {
		return rule.Fail("no PIDs limit", "linux.resources.pids.limit unset")
	}
	return rule.Pass("the number of processes is limited", fmt.Sprintf("linux.resources.pids.limit %d", *p.Limit))
}
