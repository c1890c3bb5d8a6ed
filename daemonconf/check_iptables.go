package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkIPTables binds daemon.iptables to its judge.
var checkIPTables = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonIPTables, Title: "Docker manages iptables", Severity: rule.SeverityMedium, CIS: []string{"2.4"},
		Rationale:   "With iptables off, published ports and icc=false are not enforced and the firewall drifts from the containers.",
		Remediation: `Set "iptables": true (the default).`},
	Judge: wantBool("iptables", true, true),
}

// fixIPTables is what Harden sets for daemon.iptables.
var fixIPTables = setBool("iptables", true)
