package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestRemoteLogging(t *testing.T) {
	judgeCases(t, daemonconf.DaemonRemoteLogging, []judgeCase{
		{`{}`, rule.StatusFail},
		{`{"log-opts": {"max-size": "10m"}}`, rule.StatusPass},
		{`{"log-driver": "local"}`, rule.StatusPass},
		{`{"log-driver": "none"}`, rule.StatusFail},
		{`{"log-driver": "syslog"}`, rule.StatusWarn},
		{`{"log-driver": "syslog", "log-opts": {"syslog-address": "udp://10.0.0.1:514"}}`, rule.StatusPass},
	})
}
