package podmanconf

import (
	"github.com/safedock/safedock/rule"
)

// DaemonPodmanNoNewPrivileges is the rule that Podman starts every
// container with no-new-privileges (containers.conf no_new_privileges).
const DaemonPodmanNoNewPrivileges rule.ID = "daemon.podman-no-new-privileges"

var noNewPrivileges = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanNoNewPrivileges, Title: "no-new-privileges is Podman's default", Severity: rule.SeverityMedium, CIS: []string{"2.14"},
		Rationale:   "Without it a container's processes can gain privileges through setuid and setgid binaries; set engine-wide, every container gets it unless it asks otherwise (the equivalent of dockerd's no-new-privileges).",
		Remediation: "Set no_new_privileges = true under [containers] in /etc/containers/containers.conf (or a containers.conf.d drop-in) on a Podman whose containers.conf knows the key; else start containers with --security-opt no-new-privileges."},
	Judge: func(c *Config) rule.Result {
		v, ok := c.Containers["no_new_privileges"]
		if !ok {
			return rule.Fail("containers.conf does not set no_new_privileges: containers may gain privileges", setting("no_new_privileges", false, ""))
		}
		b, isBool := v.V.(bool)
		if !isBool {
			return rule.Fail("no_new_privileges is not a boolean", setting("no_new_privileges", v.V, v.Source))
		}
		if !b {
			return rule.Fail("no_new_privileges is false", setting("no_new_privileges", b, v.Source))
		}
		return rule.Pass("no_new_privileges is true", setting("no_new_privileges", b, v.Source))
	},
}
