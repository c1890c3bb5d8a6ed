package swarm

import (
	"fmt"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

// checkMode binds swarm.mode to its judge.
var checkMode = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmMode, Title: "Swarm mode is enabled only where needed", Severity: rule.SeverityInfo, CIS: []string{"5.1"},
		Rationale:   "A swarm manager listens for cluster traffic (2377/tcp, 7946, 4789/udp) and can schedule containers on every node: an engine that does not need it should not run it.",
		Remediation: "Leave the swarm (docker swarm leave) on engines that do not take part in one; otherwise confirm it is needed.",
	},
	Judge: judgeMode,
}

// judgeMode passes on an engine outside any swarm and warns on one in a
// swarm: whether it needs to be is for its operator to confirm.
func judgeMode(f *facts) rule.Result {
	sw := f.info
	if !inSwarm(sw) {
		return rule.Pass("swarm mode is not enabled", "Swarm.LocalNodeState="+string(sw.LocalNodeState))
	}
	return rule.Warn("swarm mode is enabled: confirm this engine needs it", fmt.Sprintf("Swarm.LocalNodeState=%s NodeAddr=%s", sw.LocalNodeState, sw.NodeAddr))
}

// inSwarm reports whether the engine takes part in a swarm.
func inSwarm(sw swarmtypes.Info) bool {
	return sw.LocalNodeState != swarmtypes.LocalNodeStateInactive && sw.LocalNodeState != ""
}
