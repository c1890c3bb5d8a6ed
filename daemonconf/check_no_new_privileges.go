package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkNoNewPrivileges binds daemon.no-new-privileges to its judge.
var checkNoNewPrivileges = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonNoNewPrivileges, Title: "no-new-privileges is the default", Severity: rule.SeverityMedium, CIS: []string{"2.14"},
		Rationale:   "Stops setuid binaries in containers from gaining privileges.",
		Remediation: `Set "no-new-privileges": true.`},
	Judge: wantBool("no-new-privileges", true, false),
}

// fixNoNewPrivileges is what Harden sets for daemon.no-new-privileges.
var fixNoNewPrivileges = setBool("no-new-privileges", true)
