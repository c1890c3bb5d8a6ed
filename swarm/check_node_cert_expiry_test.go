package swarm

import (
	"testing"
	"time"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestNodeCertExpiry(t *testing.T) {
	exp := func(d time.Duration) facts {
		return facts{spec: swarmtypes.Spec{CAConfig: swarmtypes.CAConfig{NodeCertExpiry: d}}}
	}
	judgeCases(t, checkNodeCertExpiry, []judgeCase{
		{"unset", facts{}, rule.StatusPass, "unset"},
		{"30 days", exp(30 * 24 * time.Hour), rule.StatusPass, "NodeCertExpiry=720h0m0s"},
		{"90 days", exp(MaxNodeCertExpiry), rule.StatusPass, "NodeCertExpiry=2160h0m0s"},
		{"a year", exp(365 * 24 * time.Hour), rule.StatusWarn, "NodeCertExpiry=8760h0m0s"},
	})
}
