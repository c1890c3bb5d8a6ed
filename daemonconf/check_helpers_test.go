package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

// judgeCase is one daemon.json and the status one rule gives it.
type judgeCase struct {
	file string
	want rule.Status
}

// judgeCases validates each file and checks the status of rule id, the
// test every check_*_test.go of a one-rule file runs.
func judgeCases(t *testing.T, id rule.ID, cases []judgeCase) {
	t.Helper()
	for _, tc := range cases {
		f := finding(t, daemonconf.Validate([]byte(tc.file), daemonconf.Options{}), id)
		if f.Status != tc.want {
			t.Errorf("%s on %s: %s (%s; %s), want %s", id, tc.file, f.Status, f.Reason, f.Detail, tc.want)
		}
	}
}
