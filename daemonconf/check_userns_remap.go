package daemonconf

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkUsernsRemap binds daemon.userns-remap to its judge.
var checkUsernsRemap = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonUsernsRemap, Title: "User namespace remapping is on", Severity: rule.SeverityHigh, CIS: []string{"2.9"},
		Rationale:   "With userns-remap, root in a container is an unprivileged user on the host.",
		Remediation: `Set "userns-remap": "default" (existing images and containers stay under the old data root and must be re-created).`},
	Judge: judgeUsernsRemap,
}

// judgeUsernsRemap is CIS 2.9 as dockerd applies it.
func judgeUsernsRemap(c *Config) rule.Result {
	spec, src, _ := c.setting("userns-remap")
	if spec == "" {
		return rule.Fail("userns-remap is off", "userns-remap: (unset)")
	}
	detail := fmt.Sprintf("userns-remap: %s (%s)", spec, src)
	if root, why := RemapsToRoot(spec, c.host.uidLookup()); root {
		return rule.Fail("userns-remap is off: "+why+", and dockerd turns user namespaces off for root",
			detail+`; dockerd: "root cannot be remapped with itself; user namespaces are OFF"; use "default"`)
	}
	return rule.Pass("userns-remap is on", detail)
}
