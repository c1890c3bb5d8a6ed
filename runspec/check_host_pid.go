package runspec

import "github.com/safedock/safedock/rule"

// checkHostPID binds container.host-pid to its judge.
var checkHostPID = rule.Bind(containerRules, rule.ContainerHostPID, judgeNamespace("pid"))

// applyHostPID adds a pid namespace and refuses joining the host's.
var applyHostPID = applyNamespace("pid", rule.ContainerHostPID)
