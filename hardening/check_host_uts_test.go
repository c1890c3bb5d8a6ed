package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostUTS(t *testing.T) {
	judgeCases(t, checkHostUTS, []judgeCase{
		{"own", nil, rule.StatusPass},
		{"host", hc(func(hc *container.HostConfig) { hc.UTSMode = "host" }), rule.StatusFail},
	})
}
