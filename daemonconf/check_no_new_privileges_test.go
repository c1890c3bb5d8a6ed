package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestNoNewPrivileges(t *testing.T) {
	judgeCases(t, daemonconf.DaemonNoNewPrivileges, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"no-new-privileges": true}`, rule.StatusPass},
	})
}
