package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkImageHealthcheck binds image.healthcheck to its judge.
var checkImageHealthcheck = rule.Check[inspectedImage]{
	Rule: rule.Rule{ID: ImageHealthcheck, Title: "Images define a HEALTHCHECK", Severity: rule.SeverityLow, CIS: []string{"4.6"},
		Rationale:   "A HEALTHCHECK lets the engine and orchestrators see that a running container no longer works.",
		Remediation: "Add a HEALTHCHECK instruction to the Dockerfile."},
	Judge: judgeImageHealthcheck,
}

// judgeImageHealthcheck warns on an image without a HEALTHCHECK (one whose
// test is NONE has none: imageFacts reads it so).
func judgeImageHealthcheck(in inspectedImage) rule.Result {
	if in.facts.Healthcheck {
		return rule.Pass("HEALTHCHECK defined", "")
	}
	return rule.Warn("no HEALTHCHECK", "Config.Healthcheck is empty")
}
