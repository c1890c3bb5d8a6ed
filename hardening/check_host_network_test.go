package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostNetwork(t *testing.T) {
	judgeCases(t, checkHostNetwork, []judgeCase{
		{"default", nil, rule.StatusPass},
		{"none", hc(func(hc *container.HostConfig) { hc.NetworkMode = "none" }), rule.StatusPass},
		{"host", hc(func(hc *container.HostConfig) { hc.NetworkMode = "host" }), rule.StatusFail},
	})
}
