package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestStorageDriver(t *testing.T) {
	judgeCases(t, daemonconf.DaemonStorageDriver, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"storage-driver": "overlay2"}`, rule.StatusPass},
		{`{"storage-driver": "vfs"}`, rule.StatusFail},
	})
}
