package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

// daemon.valid-config is reported from Validate's problems: one pass when
// dockerd accepts the file, one failure per error otherwise.
func TestValidConfig(t *testing.T) {
	for file, want := range map[string]rule.Status{
		`{"icc": false}`:     rule.StatusPass,
		`{"icc": "no"}`:      rule.StatusFail,
		`{"no-such-key": 1}`: rule.StatusFail,
	} {
		var got []rule.Status
		for _, f := range daemonconf.Validate([]byte(file), daemonconf.Options{}).Report().Findings {
			if f.Rule == daemonconf.DaemonValidConfig {
				got = append(got, f.Status)
			}
		}
		if len(got) == 0 || got[0] != want {
			t.Errorf("%s: %s findings %v, want %s", file, daemonconf.DaemonValidConfig, got, want)
		}
	}
}
