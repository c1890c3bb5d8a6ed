package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestTLS(t *testing.T) {
	judgeCases(t, daemonconf.DaemonTLS, []judgeCase{
		{`{"hosts": ["unix:///var/run/docker.sock"]}`, rule.StatusPass},
		{`{"hosts": ["tcp://0.0.0.0:2375"]}`, rule.StatusFail},
		{`{"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": true, "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem", "tlskey": "/etc/docker/key.pem"}`, rule.StatusPass},
		{`{"hosts": ["tcp://0.0.0.0:2376"], "tlsverify": true, "tlscacert": "/etc/docker/ca.pem"}`, rule.StatusFail},
	})
}
