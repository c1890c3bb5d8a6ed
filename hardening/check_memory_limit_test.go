package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestMemoryLimit(t *testing.T) {
	judgeCases(t, checkMemoryLimit, []judgeCase{
		{"unlimited", nil, rule.StatusFail},
		{"limited", hc(func(hc *container.HostConfig) { hc.Memory = 256 << 20 }), rule.StatusPass},
	})
}
