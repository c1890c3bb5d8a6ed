package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestReadOnlyRootfs(t *testing.T) {
	judgeCases(t, checkReadOnlyRootfs, []judgeCase{
		{"writable", nil, rule.StatusFail},
		{"read-only", hc(func(hc *container.HostConfig) { hc.ReadonlyRootfs = true }), rule.StatusPass},
	})
}
