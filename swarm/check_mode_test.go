package swarm

import (
	"testing"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestMode(t *testing.T) {
	judgeCases(t, checkMode, []judgeCase{
		{"inactive", facts{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateInactive}}, rule.StatusPass, "Swarm.LocalNodeState=inactive"},
		{"no state (an old engine)", facts{}, rule.StatusPass, ""},
		{"active", facts{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateActive, NodeAddr: "10.0.0.1"}}, rule.StatusWarn, "Swarm.LocalNodeState=active NodeAddr=10.0.0.1"},
		{"locked", facts{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStateLocked}}, rule.StatusWarn, ""},
		{"pending", facts{info: swarmtypes.Info{LocalNodeState: swarmtypes.LocalNodeStatePending}}, rule.StatusWarn, ""},
	})
}
