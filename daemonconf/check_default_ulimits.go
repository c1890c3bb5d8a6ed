package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkDefaultUlimits binds daemon.default-ulimits to its judge.
var checkDefaultUlimits = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonDefaultUlimits, Title: "Default ulimits are set", Severity: rule.SeverityLow, CIS: []string{"2.8"},
		Rationale:   "Without default ulimits containers inherit dockerd's own (often huge) limits.",
		Remediation: `Set "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}} (at most dockerd's own hard limit).`},
	Judge: func(c *Config) rule.Result {
		if !c.Has("default-ulimits") {
			return rule.Fail("no default ulimits", "default-ulimits: (unset)")
		}
		return rule.Pass("default ulimits set", "")
	},
}

// fixDefaultUlimits is what Harden sets for daemon.default-ulimits.
func fixDefaultUlimits(m map[string]any) string {
	if _, ok := m["default-ulimits"]; ok {
		return ""
	}
	m["default-ulimits"] = defaultUlimits(1024, 4096)
	return "default-ulimits: set nofile 1024:4096"
}
