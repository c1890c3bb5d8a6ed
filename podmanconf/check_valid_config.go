package podmanconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanValidConfig is the rule that every Podman configuration file
// could be read and parsed.
const DaemonPodmanValidConfig rule.ID = "daemon.podman-valid-config"

var validConfig = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanValidConfig, Title: "Podman's configuration files can be read and parsed", Severity: rule.SeverityHigh,
		Refs:        map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {}}, // no CIS control
		Rationale:   "A containers.conf, storage.conf or registries.conf that cannot be read or parsed is either refused by Podman or judged here without its settings: the other rules would speak about a configuration Podman does not run with.",
		Remediation: "Fix the syntax or the permissions of each file named in the finding (podman info reports the errors Podman itself sees)."},
	Judge: func(c *Config) rule.Result {
		if len(c.Problems) == 0 {
			return rule.Pass("every configuration file parsed", "containers.conf: "+strings.Join(c.ContainersConfFiles, ", "))
		}
		var msgs []string
		for _, p := range c.Problems {
			msgs = append(msgs, p.Err.Error())
		}
		return rule.Fail("a configuration file could not be read or parsed", strings.Join(msgs, "; "))
	},
}
