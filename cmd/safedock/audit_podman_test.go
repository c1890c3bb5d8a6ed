package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/podmanconf"
	"github.com/safedock/safedock/rule"
)

// TestAuditOfAPodmanHostFromTheCLI: `safedock audit` against Podman's
// socket names Podman in the report, judges its configuration (not
// daemon.json) and gives the container verdicts.
func TestAuditOfAPodmanHostFromTheCLI(t *testing.T) {
	cli := dockertest.Podman(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	// Created, not started: --privileged cannot start in this sandbox.
	priv := dockertest.CreateContainer(t, cli, "priv", &container.Config{Image: img.Ref, Cmd: []string{"sleep"}}, &container.HostConfig{Privileged: true}, false)
	t.Setenv("DOCKER_HOST", dockertest.PodmanAddr())

	code, out, errOut := runCLI(t, "audit", "--all", "--format", "json")
	assert.Equal(t, 1, code, "failures, nothing incomplete: %s", errOut)
	var rep rule.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.NotNil(t, rep.Host)
	assert.Equal(t, "Podman Engine", rep.Host.Engine)
	assert.Regexp(t, `^4\.`, rep.Host.EngineVersion)
	assert.Empty(t, rep.Incomplete)

	seen := map[rule.ID]rule.Finding{}
	for _, f := range rep.Findings {
		if f.Target == "container:"+priv || !strings.HasPrefix(f.Target, "container:") {
			seen[f.Rule] = f
		}
		// daemon.json is never judged as Podman's configuration; an auditd
		// watch of a dockerd that also runs here (another package's
		// throwaway daemon, in CI) is judged, as it should be.
		if !strings.HasPrefix(f.Target, "audit:") {
			assert.NotContains(t, f.Target, "daemon.json", f.Rule)
		}
	}
	assert.Equal(t, rule.StatusFail, seen[rule.ContainerPrivileged].Status)
	for _, id := range []rule.ID{podmanconf.DaemonPodmanValidConfig, podmanconf.DaemonPodmanNoNewPrivileges, podmanconf.DaemonPodmanSeccompProfile,
		podmanconf.DaemonPodmanUserns, podmanconf.DaemonPodmanLogDriver, podmanconf.DaemonPodmanInsecureRegistries, podmanconf.FilePodmanSocket} {
		assert.Contains(t, seen, id, "Podman's configuration is judged")
	}
	nnp := seen[daemonconf.DaemonNoNewPrivileges]
	assert.Equal(t, rule.StatusSkip, nnp.Status, "dockerd's rule is not judged on Podman")
	assert.Equal(t, "not applicable to Podman: judged from containers.conf by daemon.podman-no-new-privileges", nnp.Reason)
}

// `safedock audit-rules` asks the daemon which engine it is, as the audit
// does: against Podman it adds Podman's watches (its binary, /etc/containers,
// its storage and socket); against dockerd it does not; --engine overrides.
func TestAuditRulesFollowTheEngine(t *testing.T) {
	dockerd := dockertest.Client(t).DaemonHost()
	dockertest.Podman(t)
	t.Setenv("DOCKER_HOST", dockertest.PodmanAddr())
	code, out, errOut := runCLI(t, "audit-rules")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "-w /etc/containers ")
	assert.Contains(t, out, "# audit.podman\n")

	t.Setenv("DOCKER_HOST", dockerd)
	code, out, errOut = runCLI(t, "audit-rules")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "/etc/containers")
	code, out, _ = runCLI(t, "audit-rules", "--engine", "podman", "--offline")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "-w /etc/containers ")
	code, _, errOut = runCLI(t, "audit-rules", "--engine", "lxc")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "want docker, podman or auto")
}
