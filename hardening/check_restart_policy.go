package hardening

import (
	"fmt"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// Secure defaults beyond policy's (whose limits, tmpfs and user the
// defaults of the other rules apply). Callers change them with options; the
// rules still judge the result.
const (
	// MaxRestarts is the most on-failure retries the restart rule allows.
	MaxRestarts = 5
)

// checkRestartPolicy binds container.restart-policy to its judge.
var checkRestartPolicy = rule.Bind(containerRules, rule.ContainerRestartPolicy, judgeRestartPolicy)

// applyRestartPolicy is the builder's default for container.restart-policy:
// on-failure, at most MaxRestarts times.
func applyRestartPolicy(sp *Spec) {
	sp.HostConfig.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: MaxRestarts}
}

// judgeRestartPolicy judges container.restart-policy: never restarted, or
// on failure a bounded number of times.
func judgeRestartPolicy(s *Subject) rule.Result {
	rp := s.HostConfig.RestartPolicy
	detail := fmt.Sprintf("RestartPolicy=%s:%d", rp.Name, rp.MaximumRetryCount)
	switch rp.Name {
	case "", container.RestartPolicyDisabled:
		return rule.Pass("never restarted", detail)
	case container.RestartPolicyOnFailure:
		if rp.MaximumRetryCount >= 1 && rp.MaximumRetryCount <= MaxRestarts {
			return rule.Pass("restarts on failure a bounded number of times", detail)
		}
		return rule.Fail(fmt.Sprintf("on-failure without a bound of at most %d retries", MaxRestarts), detail)
	}
	return rule.Fail("restarts forever", detail)
}
