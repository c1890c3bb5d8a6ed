package safedock_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/podmanconf"
	"github.com/safedock/safedock/rule"
)

// podmanInsecure creates (without starting: --privileged cannot start in
// this sandbox) the three insecure containers of the issue on Podman and
// returns their names: privileged, host PID, a writable /etc bind mount.
func podmanInsecure(t *testing.T) (priv, hostPID, etcRW string) {
	t.Helper()
	cli := dockertest.Podman(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	cfg := func() *container.Config { return &container.Config{Image: img.Ref, Cmd: []string{"sleep"}} }
	priv = dockertest.CreateContainer(t, cli, "priv", cfg(), &container.HostConfig{Privileged: true}, false)
	hostPID = dockertest.CreateContainer(t, cli, "hostpid", cfg(), &container.HostConfig{PidMode: "host"}, false)
	etcRW = dockertest.CreateContainer(t, cli, "etcrw", cfg(), &container.HostConfig{Binds: []string{"/etc:/host-etc"}}, false)
	return priv, hostPID, etcRW
}

func TestAuditOfAPodmanHost(t *testing.T) {
	cli := dockertest.Podman(t)
	priv, hostPID, etcRW := podmanInsecure(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := safedock.Audit(ctx, safedock.Options{Client: cli, All: true,
		Only: []safedock.Section{safedock.SectionHost, safedock.SectionDaemon, safedock.SectionFiles, safedock.SectionContainers}})
	require.NoError(t, err)

	require.NotNil(t, rep.Host)
	assert.Equal(t, "Podman Engine", rep.Host.Engine, "the report names the engine")
	assert.Regexp(t, `^4\.`, rep.Host.EngineVersion)

	byRule := map[rule.ID][]rule.Finding{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	verdict := func(id rule.ID, target string) rule.Status {
		t.Helper()
		for _, f := range byRule[id] {
			if f.Target == target {
				return f.Status
			}
		}
		t.Errorf("no %s finding for %s", id, target)
		return ""
	}

	// The containers, as on dockerd.
	assert.Equal(t, rule.StatusFail, verdict(rule.ContainerPrivileged, "container:"+priv))
	assert.Equal(t, rule.StatusFail, verdict(rule.ContainerHostPID, "container:"+hostPID))
	assert.Equal(t, rule.StatusFail, verdict(rule.ContainerSensitiveMounts, "container:"+etcRW))
	assert.Equal(t, rule.StatusPass, verdict(rule.ContainerPrivileged, "container:"+etcRW), "control")

	// The daemon section judges Podman's configuration, not daemon.json.
	for _, c := range podmanconf.Checks() {
		require.Len(t, byRule[c.Rule.ID], 1, "%s judged once", c.Rule.ID)
		assert.Equal(t, podmanconf.Target, byRule[c.Rule.ID][0].Target)
	}
	// This machine's Podman: scripts/podman-engine's drop-in and Debian's
	// defaults (userns host, k8s-file without a size cap, no
	// no_new_privileges key in 4.3).
	assert.Equal(t, rule.StatusPass, byRule[podmanconf.DaemonPodmanValidConfig][0].Status, byRule[podmanconf.DaemonPodmanValidConfig][0].Detail)
	assert.Equal(t, rule.StatusFail, byRule[podmanconf.DaemonPodmanNoNewPrivileges][0].Status)
	assert.Equal(t, rule.StatusFail, byRule[podmanconf.DaemonPodmanUserns][0].Status)
	for _, f := range rep.Findings {
		if safedock.SectionOf(f.Rule) != safedock.SectionDaemon && safedock.SectionOf(f.Rule) != safedock.SectionFiles {
			continue
		}
		assert.NotContains(t, f.Target, "daemon.json", "%s: nothing is judged from daemon.json on Podman", f.Rule)
		if strings.HasPrefix(string(f.Rule), "daemon.podman-") || strings.HasPrefix(string(f.Rule), "file.podman-") {
			continue
		}
		if f.Rule == daemonconf.DaemonICC {
			assert.Equal(t, rule.StatusFail, f.Status, "Podman cannot disable inter-container traffic")
			continue
		}
		if f.Rule == safedock.DaemonRootless {
			// CIS 2.1 means the same on Podman: this one runs as root.
			assert.Equal(t, rule.StatusFail, f.Status, f.Reason)
			continue
		}
		assert.Equal(t, rule.StatusSkip, f.Status, "%s: a dockerd control is never passed on Podman", f.Rule)
		assert.True(t, strings.HasPrefix(f.Reason, "not applicable to Podman: "), "%s: %s", f.Rule, f.Reason)
	}
	// The host rules written for dockerd's release series and group.
	for _, id := range []rule.ID{host.HostEngineVersion, host.HostSocketGroupMembers} {
		require.NotEmpty(t, byRule[id], id)
		for _, f := range byRule[id] {
			assert.Equal(t, rule.StatusSkip, f.Status, id)
			assert.True(t, strings.HasPrefix(f.Reason, "not applicable to Podman: "), "%s: %s", id, f.Reason)
		}
	}
	// Podman's own socket (the one the client talks to) and files.
	assert.Equal(t, rule.StatusPass, verdict(podmanconf.FilePodmanSocket, "file:"+strings.TrimPrefix(dockertest.PodmanAddr(), "unix://")))
	assert.NotEmpty(t, byRule[podmanconf.FilePodmanConfig])
}

func TestAuditdOfAPodmanHost(t *testing.T) {
	cli := dockertest.Podman(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := safedock.Audit(ctx, safedock.Options{Client: cli, Only: []safedock.Section{safedock.SectionAuditd}})
	require.NoError(t, err)
	byRule := map[rule.ID]rule.Finding{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = f
	}
	// Podman's own files are judged (this machine has podman installed and
	// its API socket is the client's).
	for _, id := range []rule.ID{host.AuditPodman, host.AuditEtcContainers, host.AuditVarLibContainers, host.AuditContainersConf, host.AuditPodmanSock} {
		f, ok := byRule[id]
		require.True(t, ok, "%s judged on a Podman host", id)
		assert.NotEqual(t, rule.StatusSkip, f.Status, "%s: %s", id, f.Reason)
		assert.Equal(t, "audit rules", f.Method, id)
	}
	assert.Equal(t, "audit:"+strings.TrimPrefix(dockertest.PodmanAddr(), "unix://"), byRule[host.AuditPodmanSock].Target)
	// dockerd's targets: judged where present (dockerd is installed here
	// too), else not applicable to Podman; never a bare "not present".
	for _, f := range rep.Findings {
		if f.Status == rule.StatusSkip {
			assert.True(t, strings.HasPrefix(f.Reason, "not applicable to Podman: "), "%s: %s", f.Rule, f.Reason)
		}
	}
}
