package swarm

import (
	"testing"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestAutolock(t *testing.T) {
	judgeCases(t, checkAutolock, []judgeCase{
		{"off", facts{}, rule.StatusFail, "AutoLockManagers=false"},
		{"on", facts{spec: swarmtypes.Spec{EncryptionConfig: swarmtypes.EncryptionConfig{AutoLockManagers: true}}}, rule.StatusPass, "AutoLockManagers=true"},
	})
}
