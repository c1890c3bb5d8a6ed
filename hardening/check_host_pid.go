package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkHostPID binds container.host-pid to its judge. The builder's default
// is the zero value: the container's own PID namespace.
var checkHostPID = rule.Bind(containerRules, rule.ContainerHostPID, judgeHostPID)

// judgeHostPID judges container.host-pid.
func judgeHostPID(s *Subject) rule.Result {
	return judgeNamespace("PidMode", string(s.HostConfig.PidMode))
}

// judgeNamespace fails a namespace mode of "host"; field names the
// HostConfig field in the detail. The host-pid, host-ipc, host-uts and
// host-userns rules share it.
func judgeNamespace(field, mode string) rule.Result {
	if mode == "host" {
		return rule.Fail("shares the host's namespace", fmt.Sprintf("HostConfig.%s=host", field))
	}
	return rule.Pass("own namespace", fmt.Sprintf("HostConfig.%s=%q", field, mode))
}
