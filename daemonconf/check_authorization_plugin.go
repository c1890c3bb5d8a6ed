package daemonconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkAuthorizationPlugin binds daemon.authorization-plugin to its judge.
var checkAuthorizationPlugin = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonAuthorizationPlugin, Title: "An authorization plugin is configured", Severity: rule.SeverityInfo, CIS: []string{"2.12"},
		Rationale:   "Without an authorization plugin, every user of the socket can do everything.",
		Remediation: `Run safedock's own plugin, which enforces this catalog on every client (safedock authz install; docs/authz.md), and set "authorization-plugins": ["safedock"]; or install another authorization plugin and list it there.`},
	Judge: func(c *Config) rule.Result {
		if p := c.flags["authorization-plugins"]; len(p) > 0 {
			return rule.Pass("authorization plugin configured", "dockerd --authorization-plugin "+strings.Join(p, ", "))
		}
		if p := c.Strings("authorization-plugins"); len(p) > 0 {
			return rule.Pass("authorization plugin configured", "authorization-plugins: "+strings.Join(p, ", "))
		}
		return rule.Warn("no authorization plugin", "authorization-plugins: (unset)")
	},
}
