package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkCgroupParent binds daemon.cgroup-parent to its judge.
var checkCgroupParent = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonCgroupParent, Title: "A cgroup parent is set", Severity: rule.SeverityInfo, CIS: []string{"2.10"},
		Rationale:   "A dedicated parent cgroup lets the host cap all containers together.",
		Remediation: `Set "cgroup-parent" to a dedicated cgroup (a .slice with the systemd driver).`},
	Judge: func(c *Config) rule.Result {
		if s, _ := c.String("cgroup-parent"); s != "" {
			return rule.Pass("cgroup-parent is set", "cgroup-parent: "+s)
		}
		return rule.Warn("cgroup-parent is the default", "cgroup-parent: (unset); confirm the default is intended")
	},
}
