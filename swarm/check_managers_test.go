package swarm

import (
	"fmt"
	"testing"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestManagers(t *testing.T) {
	var cases []judgeCase
	for n, want := range map[int]rule.Status{1: rule.StatusPass, 2: rule.StatusFail, 3: rule.StatusPass, 4: rule.StatusFail, 5: rule.StatusPass, 7: rule.StatusPass, 8: rule.StatusFail, 9: rule.StatusFail} {
		cases = append(cases, judgeCase{fmt.Sprintf("%d managers", n), facts{info: swarmtypes.Info{Managers: n}}, want, fmt.Sprintf("Swarm.Managers=%d", n)})
	}
	judgeCases(t, checkManagers, cases)
}
