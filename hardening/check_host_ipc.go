package hardening

import (
	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// checkHostIPC binds container.host-ipc to its judge.
var checkHostIPC = rule.Bind(containerRules, rule.ContainerHostIPC, judgeHostIPC)

// applyHostIPC is the builder's default for container.host-ipc: a private
// IPC namespace.
func applyHostIPC(sp *Spec) { sp.HostConfig.IpcMode = container.IPCModePrivate }

// judgeHostIPC judges container.host-ipc.
func judgeHostIPC(s *Subject) rule.Result {
	return judgeNamespace("IpcMode", string(s.HostConfig.IpcMode))
}
