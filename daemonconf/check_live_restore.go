package daemonconf

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkLiveRestore binds daemon.live-restore to its judge.
var checkLiveRestore = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonLiveRestore, Title: "Live restore is on", Severity: rule.SeverityLow, CIS: []string{"2.15"},
		Rationale:   "Containers keep running while dockerd restarts or upgrades. (Not on swarm nodes: the two exclude each other.)",
		Remediation: `Set "live-restore": true (except on swarm nodes).`},
	Judge: judgeLiveRestore,
}

// fixLiveRestore is what Harden sets for daemon.live-restore.
var fixLiveRestore = setBool("live-restore", true)

// judgeLiveRestore is CIS 2.15; on a swarm node live-restore does not
// apply (dockerd refuses the two together).
func judgeLiveRestore(c *Config) rule.Result {
	lr, src, set := c.boolSetting("live-restore")
	detail := fmt.Sprintf("live-restore: %v", lr)
	if !set {
		detail += " (default)"
	} else {
		detail += " (" + src + ")"
	}
	if c.host != nil && c.host.SwarmActive {
		if lr {
			return rule.Fail("live-restore is on, but this node is in a swarm: dockerd refuses to start its cluster component with it", detail+"; set live-restore to false on swarm nodes")
		}
		res := rule.Skip("this node is in a swarm, where live-restore is refused by dockerd; CIS 2.15 does not apply")
		res.Detail = detail
		return res
	}
	if lr {
		return rule.Pass("live-restore is true", detail)
	}
	return rule.Fail("live-restore is not true", detail)
}
