package daemonconf

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkInsecureRegistries binds daemon.insecure-registries to its judge.
var checkInsecureRegistries = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonInsecureRegistries, Title: "No insecure registries", Severity: rule.SeverityHigh, CIS: []string{"2.5"},
		Rationale:   "An insecure registry is contacted without TLS verification; images pulled from it can be tampered with.",
		Remediation: "Remove insecure-registries; give the registry a certificate (place its CA in /etc/docker/certs.d/HOST/ca.crt)."},
	Judge: func(c *Config) rule.Result {
		if r := c.Strings("insecure-registries"); len(r) > 0 {
			return rule.Fail("insecure registries are configured", "insecure-registries: "+strings.Join(r, ", "))
		}
		return rule.Pass("no insecure registries", "")
	},
}

// fixInsecureRegistries is what Harden sets for daemon.insecure-registries.
func fixInsecureRegistries(m map[string]any) string {
	if r, ok := m["insecure-registries"].([]any); ok && len(r) > 0 {
		delete(m, "insecure-registries")
		return fmt.Sprintf("insecure-registries: removed %v", r)
	}
	return ""
}
