package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkLegacyRegistry binds daemon.legacy-registry to its judge.
var checkLegacyRegistry = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonLegacyRegistry, Title: "No disable-legacy-registry key", Severity: rule.SeverityHigh, CIS: []string{"2.13"},
		Rationale:   "The seed's --disable-legacy-registry was removed in Docker 17.12 with v1 registry support; dockerd refuses to start with the key. Every registry is v2, so the old advice is obsolete.",
		Remediation: "Delete disable-legacy-registry from daemon.json."},
	Judge: func(c *Config) rule.Result {
		if c.Has("disable-legacy-registry") {
			return rule.Fail("disable-legacy-registry is set; dockerd >= 17.12 refuses to start", "disable-legacy-registry")
		}
		return rule.Pass("no disable-legacy-registry key", "")
	},
}

// fixLegacyRegistry is what Harden sets for daemon.legacy-registry.
func fixLegacyRegistry(m map[string]any) string {
	if _, ok := m["disable-legacy-registry"]; ok {
		delete(m, "disable-legacy-registry")
		return "disable-legacy-registry: removed (v1 registries are gone since 17.12)"
	}
	return ""
}
