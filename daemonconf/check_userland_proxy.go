package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkUserlandProxy binds daemon.userland-proxy to its judge.
var checkUserlandProxy = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonUserlandProxy, Title: "Userland proxy is off", Severity: rule.SeverityLow, CIS: []string{"2.16"},
		Rationale:   "docker-proxy is one process per published port and a larger attack surface than hairpin NAT.",
		Remediation: `Set "userland-proxy": false.`},
	Judge: wantBool("userland-proxy", false, true),
}

// fixUserlandProxy is what Harden sets for daemon.userland-proxy.
var fixUserlandProxy = setBool("userland-proxy", false)
