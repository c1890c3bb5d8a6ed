package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkSeccomp binds container.seccomp to its judge. The builder's default
// is no option: dockerd's default profile (or the daemon's).
var checkSeccomp = rule.Bind(containerRules, rule.ContainerSeccomp, judgeSeccomp)

// judgeSeccomp judges the profile dockerd applies: none for a privileged
// container, the container's own seccomp option, else the daemon's default
// (HostFacts.SeccompProfile).
func judgeSeccomp(s *Subject) rule.Result {
	if s.HostConfig.Privileged {
		return rule.Fail("privileged: seccomp is not applied", "HostConfig.Privileged=true")
	}
	v, ok := SecurityOption(s.HostConfig, "seccomp")
	if ok && v == "unconfined" {
		return rule.Fail("seccomp disabled", "SecurityOpt seccomp=unconfined")
	}
	if ok {
		return rule.Pass("custom seccomp profile", "SecurityOpt seccomp=<profile>")
	}
	var r rule.Result
	switch p := s.Host.SeccompProfile; p {
	case "":
		return rule.Pass("default seccomp profile", "")
	case "unconfined":
		r = rule.Fail("seccomp disabled by the daemon's default", "daemon seccomp-profile=unconfined; the container sets no seccomp option")
	case "default", "builtin":
		r = rule.Pass("the daemon's default seccomp profile", "daemon seccomp-profile="+p)
	default:
		r = rule.Pass("the daemon's custom seccomp profile", "daemon seccomp-profile="+p)
	}
	r.Method = MethodDaemonDefault
	return r
}
