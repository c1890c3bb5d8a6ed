package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestExperimental(t *testing.T) {
	judgeCases(t, daemonconf.DaemonExperimental, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"experimental": true}`, rule.StatusFail},
	})
}
