package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestLogLevel(t *testing.T) {
	judgeCases(t, daemonconf.DaemonLogLevel, []judgeCase{
		{`{"log-level": "info"}`, rule.StatusPass},
		{`{}`, rule.StatusPass},
		{`{"log-level": "debug"}`, rule.StatusFail},
	})
}
