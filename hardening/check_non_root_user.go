package hardening

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkNonRootUser binds container.non-root-user to its judge. The builder
// sets no default: WithNonRootUser, WithUser or the image's USER decide.
var checkNonRootUser = rule.Bind(containerRules, rule.ContainerNonRootUser, judgeNonRootUser)

// judgeNonRootUser judges container.non-root-user: the container's user,
// else the image's.
func judgeNonRootUser(s *Subject) rule.Result {
	u, known := s.user()
	if !known {
		return rule.Fail("user unknown: no user set and the image is not known", "Config.User is empty")
	}
	if u == "" {
		return rule.Fail("runs as root: neither the container nor the image sets a user", "Config.User is empty")
	}
	if isRootUser(u) {
		return rule.Fail("runs as root", fmt.Sprintf("User=%q", u))
	}
	return rule.Pass("runs as a non-root user", fmt.Sprintf("User=%q", u))
}

// isRootUser reports whether a user[:group] names root.
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0" || name == ""
}
