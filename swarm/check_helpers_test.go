package swarm

import (
	"strings"
	"testing"

	"github.com/safedock/safedock/rule"
)

// judgeCase is one set of facts and what one rule makes of it.
type judgeCase struct {
	name string
	f    facts
	want rule.Status
	// detail, when set, must appear in the result's detail.
	detail string
}

// judgeCases runs the judge of c on each case, the test every
// check_*_test.go runs.
func judgeCases(t *testing.T, c rule.Check[*facts], cases []judgeCase) {
	t.Helper()
	for _, tc := range cases {
		res := c.Judge(&tc.f)
		if res.Status != tc.want {
			t.Errorf("%s, %s: %s (%s; %s), want %s", c.Rule.ID, tc.name, res.Status, res.Reason, res.Detail, tc.want)
		}
		if !strings.Contains(res.Detail, tc.detail) {
			t.Errorf("%s, %s: detail %q, want it to contain %q", c.Rule.ID, tc.name, res.Detail, tc.detail)
		}
	}
}
