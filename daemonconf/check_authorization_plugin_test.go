package daemonconf_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

// CIS 2.12 (use an authorization plugin) passes for a plugin named in
// daemon.json or on dockerd's command line, and warns otherwise.
func TestAuthorizationPluginRule(t *testing.T) {
	for _, c := range []struct {
		name string
		json string
		args []string
		want rule.Status
	}{
		{"file", `{"authorization-plugins": ["safedock"]}`, nil, rule.StatusPass},
		{"flag", `{}`, []string{"--authorization-plugin=safedock"}, rule.StatusPass},
		{"flag, two words", `{}`, []string{"--authorization-plugin", "safedock"}, rule.StatusPass},
		{"none", `{}`, nil, rule.StatusWarn},
	} {
		res := daemonconf.Validate([]byte(c.json), daemonconf.Options{DockerdArgs: c.args})
		var got *rule.Finding
		for i, f := range res.Findings {
			if f.Rule == daemonconf.DaemonAuthorizationPlugin {
				got = &res.Findings[i]
			}
		}
		if assert.NotNil(t, got, c.name) {
			assert.Equal(t, c.want, got.Status, "%s: %+v", c.name, *got)
		}
	}
}
