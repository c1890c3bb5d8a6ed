package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestCPUShares(t *testing.T) {
	judgeCases(t, checkCPUShares, []judgeCase{
		{"unset", nil, rule.StatusFail},
		{"the default 1024", hc(func(hc *container.HostConfig) { hc.CPUShares = 1024 }), rule.StatusFail},
		{"512", hc(func(hc *container.HostConfig) { hc.CPUShares = 512 }), rule.StatusPass},
		{"a quota instead", hc(func(hc *container.HostConfig) { hc.NanoCPUs = 500_000_000 }), rule.StatusPass},
		{"a CFS quota instead", hc(func(hc *container.HostConfig) { hc.CPUQuota = 50_000 }), rule.StatusPass},
	})
}
