package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestIPTables(t *testing.T) {
	judgeCases(t, daemonconf.DaemonIPTables, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"iptables": false}`, rule.StatusFail},
	})
}
