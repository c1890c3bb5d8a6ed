package hardening

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkPortBindInterface binds container.port-bind-interface to its judge.
// The builder publishes nothing by default.
var checkPortBindInterface = rule.Bind(containerRules, rule.ContainerPortBindInterface, judgePortBindInterface)

// judgePortBindInterface judges container.port-bind-interface: every
// published port names the host address it listens on.
func judgePortBindInterface(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.PublishAllPorts {
		return rule.Fail("all exposed ports are published on every interface", "HostConfig.PublishAllPorts=true")
	}
	var bad []string
	for p, bs := range hc.PortBindings {
		for _, b := range bs {
			if !b.HostIP.IsValid() || b.HostIP.IsUnspecified() {
				bad = append(bad, fmt.Sprintf("%s->%s", b.HostPort, p))
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("published port listens on every host address", "PortBindings without HostIp: "+strings.Join(bad, ", "))
	}
	return rule.Pass("published ports are bound to specific addresses", "")
}
