package hardening_test

import "github.com/safedock/safedock/rule"

// violationRules lists the rule IDs of every violation in err.
func violationRules(err error) []rule.ID {
	var ids []rule.ID
	for _, v := range rule.Violations(err) {
		ids = append(ids, v.Rule)
	}
	return ids
}
