package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestLegacyRegistry(t *testing.T) {
	judgeCases(t, daemonconf.DaemonLegacyRegistry, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"disable-legacy-registry": true}`, rule.StatusFail},
	})
}
