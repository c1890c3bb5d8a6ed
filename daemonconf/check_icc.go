package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkICC binds daemon.icc to its judge.
var checkICC = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonICC, Title: "Inter-container communication on the default bridge is off", Severity: rule.SeverityMedium, CIS: []string{"2.2"},
		Rationale:   "With icc on, every container on the default bridge can reach every other one's ports.",
		Remediation: `Set "icc": false (and keep iptables true); give containers that must talk a user-defined network.`},
	Judge: wantBool("icc", false, true),
}

// fixICC is what Harden sets for daemon.icc.
var fixICC = setBool("icc", false)
