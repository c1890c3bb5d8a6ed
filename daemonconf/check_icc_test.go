package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestICC(t *testing.T) {
	judgeCases(t, daemonconf.DaemonICC, []judgeCase{
		{`{"icc": false}`, rule.StatusPass},
		{`{}`, rule.StatusFail},
		{`{"icc": true}`, rule.StatusFail},
	})
}
