package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestLiveRestore(t *testing.T) {
	judgeCases(t, daemonconf.DaemonLiveRestore, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"live-restore": true}`, rule.StatusPass},
	})
}
