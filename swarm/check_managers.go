package swarm

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkManagers binds swarm.managers to its judge.
var checkManagers = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmManagers, Title: "The swarm has the minimum number of managers, and an odd one", Severity: rule.SeverityMedium, CIS: []string{"7.1"},
		Rationale:   "Managers hold the cluster's state and keys; each extra one is another place to attack. Raft needs a majority: an even count adds no fault tolerance, and more than 7 slows every write.",
		Remediation: "Run 1, 3, 5 or 7 managers (docker node demote the extra ones).",
	},
	Judge: judgeManagers,
}

// judgeManagers passes on an odd number of managers up to 7.
func judgeManagers(f *facts) rule.Result {
	n := f.info.Managers
	d := fmt.Sprintf("Swarm.Managers=%d", n)
	switch {
	case n > 7:
		return rule.Fail("more than 7 managers: every extra one is attack surface and slows raft", d)
	case n > 1 && n%2 == 0:
		return rule.Fail("an even number of managers adds no fault tolerance", d)
	case n == 1:
		return rule.Pass("a single manager (no manager fault tolerance)", d)
	}
	return rule.Pass("an odd number of managers, at most 7", d)
}
