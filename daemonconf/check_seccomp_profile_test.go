package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestSeccompProfile(t *testing.T) {
	judgeCases(t, daemonconf.DaemonSeccompProfile, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"seccomp-profile": "/etc/docker/seccomp.json"}`, rule.StatusPass},
		{`{"seccomp-profile": "unconfined"}`, rule.StatusFail},
	})
}
