package hardening

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkNetworkIsolation binds container.network-isolation to its judge. The
// builder's default is no network (applyHostNetwork); WithNetwork and Run
// choose an isolated one.
var checkNetworkIsolation = rule.Bind(containerRules, rule.ContainerNetworkIsolation, judgeNetworkIsolation)

// judgeNetworkIsolation judges container.network-isolation: no network, or
// only networks with inter-container traffic disabled.
func judgeNetworkIsolation(s *Subject) rule.Result {
	mode := string(s.HostConfig.NetworkMode)
	switch {
	case mode == "none":
		return rule.Pass("no network", "HostConfig.NetworkMode=none")
	case mode == "host":
		return rule.Fail("host network: no isolation at all", "HostConfig.NetworkMode=host")
	case strings.HasPrefix(mode, "container:"):
		return rule.Pass("shares another container's network (judged on that container)", "HostConfig.NetworkMode="+mode)
	}
	names := make([]string, 0, len(s.Networks))
	for n := range s.Networks {
		names = append(names, n)
	}
	if len(names) == 0 {
		names = []string{mode}
		if mode == "" || mode == "default" {
			names = []string{"bridge"}
		}
	}
	slices.Sort(names)
	var unknown []string
	for _, n := range names {
		f := s.Networks[n]
		if n == "bridge" && (f == nil || f.ICC) {
			return rule.Fail("on the default bridge with inter-container traffic allowed: use a user-defined network with ICC disabled", "network bridge")
		}
		if f == nil {
			unknown = append(unknown, n)
			continue
		}
		if f.ICC {
			return rule.Fail("inter-container traffic allowed on the container's network", fmt.Sprintf("network %s: %s not false", n, ICCOption))
		}
	}
	if len(unknown) > 0 {
		return rule.Skip("network not inspected: " + strings.Join(unknown, ", "))
	}
	return rule.Pass("inter-container traffic disabled", "networks "+strings.Join(names, ", "))
}
