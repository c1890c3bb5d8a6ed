package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestUserlandProxy(t *testing.T) {
	judgeCases(t, daemonconf.DaemonUserlandProxy, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"userland-proxy": false}`, rule.StatusPass},
	})
}
