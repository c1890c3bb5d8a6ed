package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// ruleValidConfig is reported from Validate's problems, not judged by a check.
var ruleValidConfig = rule.Rule{ID: DaemonValidConfig, Title: "dockerd accepts the configuration file", Severity: rule.SeverityCritical,
	Rationale:   "A daemon.json dockerd refuses stops the engine at its next restart; one whose values break containers stops every workload.",
	Remediation: "Fix each error reported by safedock daemon-config validate before restarting dockerd."}
