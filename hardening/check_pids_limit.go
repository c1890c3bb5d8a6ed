package hardening

import (
	"fmt"
	"strconv"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkPidsLimit binds container.pids-limit to its judge.
var checkPidsLimit = rule.Bind(containerRules, rule.ContainerPidsLimit, judgePidsLimit)

// applyPidsLimit is the builder's default for container.pids-limit:
// policy.DefaultPidsLimit.
func applyPidsLimit(sp *Spec) { n := policy.DefaultPidsLimit; sp.HostConfig.PidsLimit = &n }

// judgePidsLimit judges container.pids-limit: a positive limit.
func judgePidsLimit(s *Subject) rule.Result {
	p := s.HostConfig.PidsLimit
	if p == nil || *p <= 0 {
		v := "unset"
		if p != nil {
			v = strconv.FormatInt(*p, 10)
		}
		return rule.Fail("no PIDs limit", "HostConfig.PidsLimit="+v)
	}
	return rule.Pass("PIDs limited", fmt.Sprintf("HostConfig.PidsLimit=%d", *p))
}
