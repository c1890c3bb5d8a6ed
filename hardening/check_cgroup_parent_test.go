package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestCgroupParent(t *testing.T) {
	judgeCases(t, checkCgroupParent, []judgeCase{
		{"daemon's default", nil, rule.StatusPass},
		{"custom", hc(func(hc *container.HostConfig) { hc.CgroupParent = "/custom" }), rule.StatusWarn},
	})
}
