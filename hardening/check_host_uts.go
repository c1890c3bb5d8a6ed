package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkHostUTS binds container.host-uts to its judge. The builder's default
// is the zero value: the container's own UTS namespace.
var checkHostUTS = rule.Bind(containerRules, rule.ContainerHostUTS, judgeHostUTS)

// judgeHostUTS judges container.host-uts.
func judgeHostUTS(s *Subject) rule.Result {
	return judgeNamespace("UTSMode", string(s.HostConfig.UTSMode))
}
