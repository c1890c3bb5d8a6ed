package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func TestInsecureRegistries(t *testing.T) {
	judgeCases(t, daemonconf.DaemonInsecureRegistries, []judgeCase{
		{`{}`, rule.StatusPass},
		{`{"insecure-registries": ["registry.example:5000"]}`, rule.StatusFail},
	})
}
