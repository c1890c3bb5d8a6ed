package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestDefaultUlimits(t *testing.T) {
	judgeCases(t, daemonconf.DaemonDefaultUlimits, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}}}`, rule.StatusPass},
	})
}
