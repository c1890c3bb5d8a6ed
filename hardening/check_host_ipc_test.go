package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostIPC(t *testing.T) {
	judgeCases(t, checkHostIPC, []judgeCase{
		{"own", nil, rule.StatusPass},
		{"private", hc(func(hc *container.HostConfig) { hc.IpcMode = container.IPCModePrivate }), rule.StatusPass},
		{"host", hc(func(hc *container.HostConfig) { hc.IpcMode = "host" }), rule.StatusFail},
	})
}
