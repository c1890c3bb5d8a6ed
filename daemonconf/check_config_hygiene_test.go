package daemonconf_test

import (
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

// daemon.config-hygiene is reported from the problems dockerd tolerates:
// one warning each, none for a clean file.
func TestConfigHygiene(t *testing.T) {
	v23, err := daemonconf.ParseVersion("23.0")
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]int{
		`{"icc": false}`:               0,
		"\xef\xbb\xbf{\"icc\": false}": 1, // a BOM 23.0 skips
	} {
		n := 0
		for _, f := range daemonconf.Validate([]byte(file), daemonconf.Options{Version: v23}).Report().Findings {
			if f.Rule == daemonconf.DaemonConfigHygiene {
				n++
				if f.Status != rule.StatusWarn {
					t.Errorf("%q: %s is %s, want warn", file, f.Rule, f.Status)
				}
			}
		}
		if n != want {
			t.Errorf("%q: %d %s findings, want %d", file, n, daemonconf.DaemonConfigHygiene, want)
		}
	}
}
