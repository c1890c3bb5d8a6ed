package perms

import (
	"errors"
	"strings"
	"testing"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

func TestConfigurationReadable(t *testing.T) {
	for name, tc := range map[string]struct {
		d      hostfs.Daemon
		want   rule.Status
		reason string
		detail string
	}{
		"unreadable":  {hostfs.Daemon{ConfigFile: "/etc/docker/daemon.json", ConfigFound: true, ConfigErr: errors.New("bad json")}, rule.StatusFail, "could not be read", "bad json"},
		"absent":      {hostfs.Daemon{ConfigFile: "/etc/docker/daemon.json"}, rule.StatusPass, "no daemon.json", ""},
		"absent, pid": {hostfs.Daemon{ConfigFile: "/etc/docker/daemon.json", Process: &hostfs.Process{PID: 42}}, rule.StatusPass, "no daemon.json", "dockerd pid 42"},
		"read":        {hostfs.Daemon{ConfigFile: "/etc/docker/daemon.json", ConfigFound: true}, rule.StatusPass, "daemon.json read", ""},
	} {
		f := configFinding(tc.d)
		if f.Rule != FileConfigurationReadable || f.Target != "file:/etc/docker/daemon.json" || f.Status != tc.want ||
			!strings.Contains(f.Reason, tc.reason) || !strings.Contains(f.Detail, tc.detail) {
			t.Errorf("%s: %+v", name, f)
		}
	}
}
