package runspec

import "github.com/safedock/safedock/rule"

// checkHostNetwork binds container.host-network to its judge.
var checkHostNetwork = rule.Bind(containerRules, rule.ContainerHostNetwork, judgeNamespace("network"))

// applyHostNetwork adds a network namespace and refuses joining the host's.
var applyHostNetwork = applyNamespace("network", rule.ContainerHostNetwork)
