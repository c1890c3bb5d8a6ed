package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestDevicemapper(t *testing.T) {
	judgeCases(t, daemonconf.DaemonDevicemapper, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"storage-driver": "overlay2"}`, rule.StatusPass},
		{`{"storage-driver": "devicemapper"}`, rule.StatusFail},
	})
}
