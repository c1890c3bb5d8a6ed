package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkSeccompProfile binds daemon.seccomp-profile to its judge.
var checkSeccompProfile = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonSeccompProfile, Title: "Seccomp is not disabled for the daemon", Severity: rule.SeverityHigh, CIS: []string{"2.17"},
		Rationale:   "The default seccomp profile blocks dangerous syscalls; unconfined removes that layer for every container.",
		Remediation: `Remove "seccomp-profile": "unconfined"; point it at a custom profile only if it is stricter.`},
	Judge: func(c *Config) rule.Result {
		s, _ := c.String("seccomp-profile")
		switch s {
		case "unconfined":
			return rule.Fail("seccomp disabled for all containers", "seccomp-profile: unconfined")
		case "", "builtin":
			return rule.Pass("default seccomp profile", "seccomp-profile: "+cmpOr(s, "(default)"))
		}
		return rule.Pass("custom seccomp profile", "seccomp-profile: "+s)
	},
}

// fixSeccompProfile is what Harden sets for daemon.seccomp-profile.
func fixSeccompProfile(m map[string]any) string {
	if s, _ := m["seccomp-profile"].(string); s == "unconfined" {
		delete(m, "seccomp-profile")
		return "seccomp-profile: removed unconfined (back to the default profile)"
	}
	return ""
}
