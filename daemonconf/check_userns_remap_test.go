package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestUsernsRemap(t *testing.T) {
	judgeCases(t, daemonconf.DaemonUsernsRemap, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"userns-remap": "default"}`, rule.StatusPass},
		{`{"userns-remap": "root"}`, rule.StatusFail},
	})
}
