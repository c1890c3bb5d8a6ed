package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostPID(t *testing.T) {
	judgeCases(t, checkHostPID, []judgeCase{
		{"own", nil, rule.StatusPass},
		{"host", hc(func(hc *container.HostConfig) { hc.PidMode = "host" }), rule.StatusFail},
	})
}
