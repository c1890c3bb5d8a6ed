package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestCgroupParent(t *testing.T) {
	judgeCases(t, daemonconf.DaemonCgroupParent, []judgeCase{
		{`{}`, rule.StatusWarn},
		{`{"cgroup-parent": "docker.slice"}`, rule.StatusPass},
	})
}
