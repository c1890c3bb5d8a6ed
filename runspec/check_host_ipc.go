package runspec

import "github.com/safedock/safedock/rule"

// checkHostIPC binds container.host-ipc to its judge.
var checkHostIPC = rule.Bind(containerRules, rule.ContainerHostIPC, judgeNamespace("ipc"))

// applyHostIPC adds a ipc namespace and refuses joining the host's.
var applyHostIPC = applyNamespace("ipc", rule.ContainerHostIPC)
