package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestPrivileged(t *testing.T) {
	judgeCases(t, checkPrivileged, []judgeCase{
		{"not privileged", nil, rule.StatusPass},
		{"privileged", hc(func(hc *container.HostConfig) { hc.Privileged = true }), rule.StatusFail},
	})
}
