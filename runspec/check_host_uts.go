package runspec

import "github.com/safedock/safedock/rule"

// checkHostUTS binds container.host-uts to its judge.
var checkHostUTS = rule.Bind(containerRules, rule.ContainerHostUTS, judgeNamespace("uts"))

// applyHostUTS adds a uts namespace and refuses joining the host's.
var applyHostUTS = applyNamespace("uts", rule.ContainerHostUTS)
