package safedock_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// TestAuditRealRootlessDockerd: on a real rootless dockerd
// (dockerd-rootless.sh as an unprivileged user), the whole-host audit of
// this machine judges the user's ~/.config/docker/daemon.json, checks the
// files of $XDG_RUNTIME_DIR/docker.sock and ~/.local/share/docker, and
// passes CIS 2.1 (daemon.rootless).
func TestAuditRealRootlessDockerd(t *testing.T) {
	d := dockertest.StartRootless(t, []byte(`{"icc": false, "no-new-privileges": true}`))
	info, err := d.Client.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	require.True(t, safedock.IsRootless(&info.Info), "%v", info.Info.SecurityOptions)
	t.Logf("rootless dockerd %s as %s: data root %s, cgroup driver %q", info.Info.ServerVersion, d.User.Username, info.Info.DockerRootDir, info.Info.CgroupDriver)
	assert.Equal(t, filepath.Join(d.Home, ".local/share/docker"), info.Info.DockerRootDir)

	t.Setenv("DOCKER_HOST", d.Host)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := safedock.Audit(ctx, safedock.Options{Only: []safedock.Section{safedock.SectionDaemon, safedock.SectionFiles}})
	require.NoError(t, err, "%+v", rep.Sections)

	targets := map[string]bool{}
	var icc, rootless *rule.Finding
	for i, f := range rep.Findings {
		targets[f.Target] = true
		switch f.Rule {
		case "daemon.icc":
			icc = &rep.Findings[i]
		case safedock.DaemonRootless:
			rootless = &rep.Findings[i]
		}
	}
	require.NotNil(t, icc)
	assert.Equal(t, "file:"+d.ConfigFile, icc.Target, "the user's daemon.json is judged")
	assert.Equal(t, rule.StatusPass, icc.Status, "%+v", icc)
	require.NotNil(t, rootless)
	assert.Equal(t, rule.StatusPass, rootless.Status, "%+v", rootless)
	assert.Equal(t, []string{"2.1"}, rootless.CIS)
	for _, want := range []string{d.ConfigFile, info.Info.DockerRootDir, d.Socket} {
		assert.True(t, targets["file:"+want], "the files section checks %s: %v", want, targets)
	}
	assert.False(t, targets["file:/etc/docker/daemon.json"], "not the system daemon.json")
	// Those files are the user's, as dockerd-rootless.sh made them: their
	// owner rules pass (a root:root expectation would fail them).
	for _, f := range rep.Findings {
		if !strings.HasSuffix(string(f.Rule), ".owner") {
			continue
		}
		for _, want := range []string{d.ConfigFile, info.Info.DockerRootDir, d.Socket} {
			if f.Target == "file:"+want {
				assert.Equal(t, rule.StatusPass, f.Status, "%s %s: %s; %s", f.Rule, want, f.Reason, f.Detail)
			}
		}
	}
}
