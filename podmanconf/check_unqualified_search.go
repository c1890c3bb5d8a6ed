package podmanconf

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanUnqualifiedSearch is the rule that a short image name is not
// resolved by searching several registries.
const DaemonPodmanUnqualifiedSearch rule.ID = "daemon.podman-unqualified-search-registries"

var unqualifiedSearch = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanUnqualifiedSearch, Title: "Short image names do not search several registries", Severity: rule.SeverityMedium,
		Refs:        map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {}}, // no CIS control
		Rationale:   "With several unqualified-search-registries, \"podman pull nginx\" takes the first registry that has a repository of that name: anyone who registers it on an earlier registry serves the image (a squatting attack dockerd, with its single docker.io, does not have). short-name-mode = \"enforcing\" makes Podman ask instead of guessing, and refuses when it cannot ask.",
		Remediation: "List at most one registry in unqualified-search-registries (or none, and use fully qualified names), or set short-name-mode = \"enforcing\" in registries.conf."},
	Judge: func(c *Config) rule.Result {
		var regs []string
		src := ""
		if c.UnqualifiedSearch != nil {
			regs, src = stringsOf(c.UnqualifiedSearch.V), c.UnqualifiedSearch.Source
		}
		detail := setting("unqualified-search-registries", "["+strings.Join(regs, ", ")+"]", src)
		if len(regs) <= 1 {
			return rule.Pass(fmt.Sprintf("%d unqualified-search registries", len(regs)), detail)
		}
		// containers/image's default mode is enforcing.
		mode, modeSrc := "enforcing", ""
		if c.ShortNameMode != nil {
			mode, _ = c.ShortNameMode.V.(string)
			modeSrc = c.ShortNameMode.Source
		}
		detail += "; " + setting("short-name-mode", mode, modeSrc)
		if mode == "enforcing" {
			return rule.Pass("short-name-mode is enforcing: ambiguous short names are refused, never guessed", detail)
		}
		return rule.Fail("a short image name may be pulled from any of several registries", detail)
	},
}
