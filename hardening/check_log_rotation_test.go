package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestLogRotation(t *testing.T) {
	lc := func(typ string, cfg map[string]string) func(s *Subject) {
		return hc(func(hc *container.HostConfig) { hc.LogConfig = container.LogConfig{Type: typ, Config: cfg} })
	}
	judgeCases(t, checkLogRotation, []judgeCase{
		{"daemon's unknown default", nil, rule.StatusSkip},
		{"local", lc("local", nil), rule.StatusPass},
		{"json-file with max-size", lc("json-file", map[string]string{"max-size": "10m"}), rule.StatusPass},
		{"json-file without max-size", lc("json-file", nil), rule.StatusFail},
		{"syslog to a remote address", lc("syslog", map[string]string{"syslog-address": "udp://10.0.0.1:514"}), rule.StatusPass},
		{"local syslog", lc("syslog", nil), rule.StatusWarn},
		{"none", lc("none", nil), rule.StatusWarn},
		{"shipped off the host", lc("fluentd", nil), rule.StatusPass},
		{"unknown driver", lc("mine", nil), rule.StatusWarn},
	})
}

// The builder judges the daemon's default log driver when the container
// sets none, and merges the daemon's options into a same-driver config as
// dockerd does.
func TestDaemonDefaultLogConfig(t *testing.T) {
	rotating := &container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m"}}
	for _, c := range []struct {
		name   string
		daemon *container.LogConfig
		lc     container.LogConfig
		status rule.Status
		method string
	}{
		{"unknown default", nil, container.LogConfig{}, rule.StatusSkip, "config"},
		{"rotating default", rotating, container.LogConfig{}, rule.StatusPass, MethodDaemonDefault},
		{"same driver inherits max-size", rotating, container.LogConfig{Type: "json-file"}, rule.StatusPass, MethodDaemonDefault},
		{"container's own max-size -1 wins", rotating, container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "-1"}}, rule.StatusFail, "config"},
		{"non-rotating default", &container.LogConfig{Type: "json-file"}, container.LogConfig{}, rule.StatusFail, MethodDaemonDefault},
		{"other driver inherits nothing", &container.LogConfig{Type: "local", Config: map[string]string{"max-size": "10m"}}, container.LogConfig{Type: "json-file"}, rule.StatusFail, "config"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := hostAll
			h.LogConfig = c.daemon
			sp, err := Build(testImage, append(hardenedOpts(), WithHostFacts(h), WithHostConfig(func(hc *container.HostConfig) { hc.LogConfig = c.lc }))...)
			if c.status == rule.StatusFail {
				assert.Contains(t, violationIDs(err), rule.ContainerLogRotation)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			f := findingOf(sp.Check(), rule.ContainerLogRotation)
			assert.Equal(t, c.status, f.Status, "%s: %s", f.Reason, f.Detail)
			assert.Equal(t, c.method, f.Method)
		})
	}
}
