package podmanconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanSeccompProfile is the rule that Podman's default seccomp
// profile is not unconfined.
const DaemonPodmanSeccompProfile rule.ID = "daemon.podman-seccomp-profile"

// DefaultSeccompProfile is the profile Podman applies when containers.conf
// names none.
const DefaultSeccompProfile = "/usr/share/containers/seccomp.json"

var seccompProfile = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanSeccompProfile, Title: "Seccomp is not disabled for Podman's containers", Severity: rule.SeverityHigh, CIS: []string{"2.17"},
		Rationale:   "The seccomp profile blocks the system calls containers never need and many kernel exploits use; seccomp_profile = \"unconfined\" turns it off for every container.",
		Remediation: "Remove seccomp_profile from [containers] (Podman then uses " + DefaultSeccompProfile + ") or point it at a profile at least as strict."},
	Judge: func(c *Config) rule.Result {
		p, src, ok := c.containersString("seccomp_profile")
		if !ok || strings.TrimSpace(p) == "" {
			return rule.Pass("Podman's default seccomp profile applies", setting("seccomp_profile", DefaultSeccompProfile, ""))
		}
		if strings.EqualFold(strings.TrimSpace(p), "unconfined") {
			return rule.Fail("seccomp is disabled for every container", setting("seccomp_profile", p, src))
		}
		return rule.Pass("a seccomp profile is configured", setting("seccomp_profile", p, src))
	},
}
