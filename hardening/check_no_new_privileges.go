package hardening

import (
	"fmt"
	"strconv"

	"github.com/safedock/safedock/rule"
)

// checkNoNewPrivileges binds container.no-new-privileges to its judge.
var checkNoNewPrivileges = rule.Bind(containerRules, rule.ContainerNoNewPrivileges, judgeNoNewPrivileges)

// applyNoNewPrivileges is the builder's default for
// container.no-new-privileges: --security-opt no-new-privileges:true.
func applyNoNewPrivileges(sp *Spec) { addSecurityOpt(sp.HostConfig, "no-new-privileges:true") }

// judgeNoNewPrivileges judges what dockerd applies: the daemon's
// no-new-privileges default, replaced by the container's own option when it
// has one (the last one; dockerd reads its value with strconv.ParseBool and
// refuses the container when it is not a boolean).
func judgeNoNewPrivileges(s *Subject) rule.Result {
	v, ok := SecurityOption(s.HostConfig, "no-new-privileges")
	if ok {
		on := true
		if v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return rule.Fail("no-new-privileges value dockerd refuses", fmt.Sprintf("SecurityOpt no-new-privileges=%s", v))
			}
			on = b
		}
		if on {
			return rule.Pass("no-new-privileges set", "SecurityOpt no-new-privileges="+firstNonEmpty(v, "true"))
		}
		detail := fmt.Sprintf("SecurityOpt no-new-privileges=%s", v)
		if s.Host.NoNewPrivileges {
			detail += " overrides the daemon's no-new-privileges=true"
		}
		return rule.Fail("no-new-privileges turned off", detail)
	}
	if s.Host.NoNewPrivileges {
		r := rule.Pass("no-new-privileges set by the daemon's default", "daemon no-new-privileges=true; the container sets none")
		r.Method = MethodDaemonDefault
		return r
	}
	return rule.Fail("no-new-privileges not set", fmt.Sprintf("HostConfig.SecurityOpt=%v", s.HostConfig.SecurityOpt))
}
