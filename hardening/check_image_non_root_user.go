package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkImageNonRootUser binds image.non-root-user to its judge.
var checkImageNonRootUser = rule.Check[inspectedImage]{
	Rule: rule.Rule{ID: ImageNonRootUser, Title: "Images declare a non-root USER", Severity: rule.SeverityMedium, CIS: []string{"4.1"},
		Rationale:   "An image without USER runs as root unless every caller remembers --user.",
		Remediation: "Add a USER instruction with a non-root uid (e.g. USER 65534:65534) to the Dockerfile."},
	Judge: judgeImageNonRootUser,
}

// judgeImageNonRootUser fails an image without USER or whose USER is root
// (by name or uid 0, with or without a group).
func judgeImageNonRootUser(in inspectedImage) rule.Result {
	u := in.facts.User
	switch {
	case u == "":
		return rule.Fail("no USER: containers run as root unless told otherwise", "Config.User is empty")
	case isRootUser(u):
		return rule.Fail("USER is root", fmt.Sprintf("Config.User=%q", u))
	}
	return rule.Pass("non-root USER", fmt.Sprintf("Config.User=%q", u))
}
