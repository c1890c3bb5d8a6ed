package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// ruleConfigHygiene is reported from Validate's problems, not judged by a check.
var ruleConfigHygiene = rule.Rule{ID: DaemonConfigHygiene, Title: "The configuration has no ignored, duplicate or deprecated keys", Severity: rule.SeverityLow,
	Rationale:   "Keys dockerd silently ignores or keeps only once mean the daemon does not run with the settings the file shows.",
	Remediation: "Remove ignored and duplicate keys; replace deprecated ones."}
