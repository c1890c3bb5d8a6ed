package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkExperimental binds daemon.experimental to its judge.
var checkExperimental = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonExperimental, Title: "Experimental features are off", Severity: rule.SeverityLow, CIS: []string{"2.18"},
		Rationale:   "Experimental features are not supported for production.",
		Remediation: `Set "experimental": false or remove it.`},
	Judge: wantBool("experimental", false, false),
}

// fixExperimental is what Harden sets for daemon.experimental.
var fixExperimental = setBool("experimental", false)
