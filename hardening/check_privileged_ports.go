package hardening

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkPrivilegedPorts binds container.privileged-ports to its judge. The
// builder publishes nothing by default.
var checkPrivilegedPorts = rule.Bind(containerRules, rule.ContainerPrivilegedPorts, judgePrivilegedPorts)

// judgePrivilegedPorts judges container.privileged-ports: no host port
// below 1024 is published.
func judgePrivilegedPorts(s *Subject) rule.Result {
	var bad []string
	for p, bs := range s.HostConfig.PortBindings {
		for _, b := range bs {
			n, err := strconv.Atoi(strings.Split(b.HostPort, "-")[0])
			if err == nil && n > 0 && n < 1024 {
				bad = append(bad, fmt.Sprintf("%s->%s", b.HostPort, p))
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("privileged host port published", "PortBindings: "+strings.Join(bad, ", "))
	}
	return rule.Pass("no privileged host port published", "")
}
