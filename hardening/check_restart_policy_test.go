package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestRestartPolicy(t *testing.T) {
	restart := func(name container.RestartPolicyMode, n int) func(s *Subject) {
		return hc(func(hc *container.HostConfig) {
			hc.RestartPolicy = container.RestartPolicy{Name: name, MaximumRetryCount: n}
		})
	}
	judgeCases(t, checkRestartPolicy, []judgeCase{
		{"never", nil, rule.StatusPass},
		{"no", restart(container.RestartPolicyDisabled, 0), rule.StatusPass},
		{"on-failure:5", restart(container.RestartPolicyOnFailure, MaxRestarts), rule.StatusPass},
		{"on-failure:6", restart(container.RestartPolicyOnFailure, MaxRestarts+1), rule.StatusFail},
		{"on-failure unbounded", restart(container.RestartPolicyOnFailure, 0), rule.StatusFail},
		{"always", restart(container.RestartPolicyAlways, 0), rule.StatusFail},
		{"unless-stopped", restart(container.RestartPolicyUnlessStopped, 0), rule.StatusFail},
	})
}
