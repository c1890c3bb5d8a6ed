package safedock

import (
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

// TestRunningDriverJudgesDevicemapper: the devicemapper rule (CIS 1.8.0
// 2.7) fails when the running daemon's /info says devicemapper even though
// daemon.json and the command line name no driver, and says which driver
// runs when it passes.
func TestRunningDriverJudgesDevicemapper(t *testing.T) {
	in := &hostInputs{}
	in.Facts.DaemonJSON = []byte(`{}`)
	in.Facts.Daemon.ConfigFile = "/etc/docker/daemon.json"
	find := func(rep rule.Report) rule.Finding {
		t.Helper()
		for _, f := range rep.Findings {
			if f.Rule == daemonconf.DaemonDevicemapper {
				return f
			}
		}
		t.Fatalf("no %s finding", daemonconf.DaemonDevicemapper)
		return rule.Finding{}
	}
	rep, err := auditDaemonConfig(in, nil)
	require.NoError(t, err)
	assert.Equal(t, rule.StatusPass, find(rep).Status, "no /info, no driver configured")

	rep, err = auditDaemonConfig(in, &system.Info{ServerVersion: "20.10.24", Driver: "devicemapper"})
	require.NoError(t, err)
	f := find(rep)
	assert.Equal(t, rule.StatusFail, f.Status, "%+v", f)
	assert.Contains(t, f.Detail, "running daemon: devicemapper (/info)")
	assert.NotEmpty(t, f.Remediation)
	assert.Equal(t, []string{"2.7"}, f.CIS)
	assert.Equal(t, rep.Summary.Fail, rule.Summarize(rep.Findings).Fail)

	rep, err = auditDaemonConfig(in, &system.Info{ServerVersion: "20.10.24", Driver: "overlay2"})
	require.NoError(t, err)
	f = find(rep)
	assert.Equal(t, rule.StatusPass, f.Status)
	assert.Contains(t, f.Detail, "running daemon: overlay2 (/info)")

	// The file's driver is what the next start uses: it fails whatever runs now.
	in.Facts.DaemonJSON = []byte(`{"storage-driver": "devicemapper"}`)
	rep, err = auditDaemonConfig(in, &system.Info{ServerVersion: "20.10.24", Driver: "overlay2"})
	require.NoError(t, err)
	assert.Equal(t, rule.StatusFail, find(rep).Status)
}

func TestHostIdentityFromInfo(t *testing.T) {
	h := HostIdentity(&system.Info{Name: "node1", ID: "ABCD:EFGH", ServerVersion: "29.10.1", ProductLicense: "Community Engine"}, true)
	assert.Equal(t, &rule.HostIdentity{Hostname: "node1", DaemonID: "ABCD:EFGH", Engine: "Docker Engine - Community Engine", EngineVersion: "29.10.1"}, h)
	local := HostIdentity(nil, false)
	assert.NotEmpty(t, local.Hostname, "this machine's hostname without /info")
	assert.Empty(t, HostIdentity(nil, true).Hostname, "a remote daemon that did not answer: not this machine's name")
}
