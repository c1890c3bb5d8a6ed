package podmanconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanInsecureRegistries is the rule that registries.conf marks no
// registry insecure.
const DaemonPodmanInsecureRegistries rule.ID = "daemon.podman-insecure-registries"

var insecureRegistries = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanInsecureRegistries, Title: "No insecure registries", Severity: rule.SeverityHigh, CIS: []string{"2.5"},
		Rationale:   "An insecure registry is contacted over plain HTTP or without verifying its certificate; images pulled from it can be tampered with (the equivalent of dockerd's insecure-registries).",
		Remediation: "Remove insecure = true from the [[registry]] entries in registries.conf (and [registries.insecure] in the v1 format); give the registry a certificate (its CA in /etc/containers/certs.d/HOST/ca.crt)."},
	Judge: func(c *Config) rule.Result {
		var bad []string
		for _, r := range c.Registries {
			if r.Insecure && !r.Blocked {
				bad = append(bad, r.Location+" ("+r.Source+")")
			}
		}
		if len(bad) > 0 {
			return rule.Fail("insecure registries are configured", "insecure: "+strings.Join(bad, ", "))
		}
		return rule.Pass("no insecure registries", "")
	},
}
