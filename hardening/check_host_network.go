package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkHostNetwork binds container.host-network to its judge.
var checkHostNetwork = rule.Bind(containerRules, rule.ContainerHostNetwork, judgeHostNetwork)

// applyHostNetwork is the builder's default for container.host-network: no
// network at all (WithNetwork chooses one).
func applyHostNetwork(sp *Spec) { sp.HostConfig.NetworkMode = "none" }

// judgeHostNetwork judges container.host-network.
func judgeHostNetwork(s *Subject) rule.Result {
	if s.HostConfig.NetworkMode == "host" {
		return rule.Fail("shares the host's network namespace", "HostConfig.NetworkMode=host")
	}
	return rule.Pass("own network namespace", fmt.Sprintf("HostConfig.NetworkMode=%q", s.HostConfig.NetworkMode))
}
