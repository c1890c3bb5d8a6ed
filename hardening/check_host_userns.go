package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkHostUserns binds container.host-userns to its judge. The builder's
// default is the zero value: the daemon's user namespace setting.
var checkHostUserns = rule.Bind(containerRules, rule.ContainerHostUserns, judgeHostUserns)

// judgeHostUserns fails --userns=host; otherwise a daemon with userns-remap
// runs the container in its remapped namespace, and the finding says so.
func judgeHostUserns(s *Subject) rule.Result {
	r := judgeNamespace("UsernsMode", string(s.HostConfig.UsernsMode))
	if r.Status == rule.StatusPass && s.HostConfig.UsernsMode == "" && s.Host.UsernsRemap {
		r = rule.Pass("remapped by the daemon's userns-remap", "HostConfig.UsernsMode is empty; daemon userns-remap is on")
		r.Method = MethodDaemonDefault
	}
	return r
}
