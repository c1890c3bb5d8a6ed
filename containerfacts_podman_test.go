package safedock

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// On a Podman host the container rules' engine-wide defaults are Podman's
// merged containers.conf, not dockerd's daemon.json (which this fixture
// root also has, saying the opposite): a container created through
// Podman's API is judged against what Podman applies to it.
func TestPodmanContainerDefaultsComeFromContainersConf(t *testing.T) {
	cli := dockertest.Podman(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	name := dockertest.CreateContainer(t, cli, "defaults", &container.Config{Image: img.Ref, Cmd: []string{"sleep"}}, &container.HostConfig{}, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	podman := Engine{Kind: EnginePodman, Product: PodmanComponent, Version: "4.3.1"}
	sock := strings.TrimPrefix(dockertest.PodmanAddr(), "unix://")

	judge := func(t *testing.T, files map[string]string, e Engine) map[rule.ID]rule.Finding {
		t.Helper()
		in, err := gatherHost(writeTree(t, files), "", nil)
		require.NoError(t, err)
		h := in.containerFacts(hardening.HostFacts{}, sock, e)
		rep, err := hardening.Audit(ctx, cli, hardening.AuditOptions{All: true, HostFunc: func() (hardening.HostFacts, error) { return h, nil }})
		require.NoError(t, err)
		out := map[rule.ID]rule.Finding{}
		for _, f := range rep.Findings {
			if f.Target == "container:"+name {
				out[f.Rule] = f
			}
		}
		require.NotEmpty(t, out, "no finding for %s", name)
		return out
	}
	daemonJSON := `{"no-new-privileges": true, "seccomp-profile": "unconfined", "log-driver": "local"}`

	// containers.conf (a drop-in over the distribution's file) turns
	// no-new-privileges on and bounds k8s-file's logs.
	got := judge(t, map[string]string{
		"etc/docker/daemon.json":                         daemonJSON,
		"usr/share/containers/containers.conf":           "[containers]\nlog_driver = \"k8s-file\"\n",
		"etc/containers/containers.conf.d/50-local.conf": "[containers]\nno_new_privileges = true\nlog_size_max = 10485760\n",
	}, podman)
	nnp := got[rule.ContainerNoNewPrivileges]
	assert.Equal(t, rule.StatusPass, nnp.Status, "%s; %s", nnp.Reason, nnp.Detail)
	assert.Equal(t, hardening.MethodDaemonDefault, nnp.Method)
	sec := got[rule.ContainerSeccomp]
	assert.Equal(t, rule.StatusPass, sec.Status, "daemon.json's unconfined is dockerd's, not Podman's: %s; %s", sec.Reason, sec.Detail)
	logs := got[rule.ContainerLogRotation]
	// Podman's compat inspect names k8s-file "json-file" with no options:
	// containers.conf's log_size_max is what bounds it.
	assert.Equal(t, rule.StatusPass, logs.Status, "%s; %s", logs.Reason, logs.Detail)
	assert.Equal(t, hardening.MethodDaemonDefault, logs.Method)
	assert.NotContains(t, logs.Detail, `"local"`, "daemon.json's log driver is dockerd's")

	// containers.conf without no_new_privileges and with seccomp off:
	// daemon.json's no-new-privileges does not count on Podman.
	got = judge(t, map[string]string{
		"etc/docker/daemon.json":         daemonJSON,
		"etc/containers/containers.conf": "[containers]\nseccomp_profile = \"unconfined\"\n",
	}, podman)
	assert.Equal(t, rule.StatusFail, got[rule.ContainerNoNewPrivileges].Status, "%+v", got[rule.ContainerNoNewPrivileges])
	sec = got[rule.ContainerSeccomp]
	assert.Equal(t, rule.StatusFail, sec.Status, "%s; %s", sec.Reason, sec.Detail)
	assert.Equal(t, hardening.MethodDaemonDefault, sec.Method)
	logs = got[rule.ContainerLogRotation]
	assert.Equal(t, rule.StatusFail, logs.Status, "k8s-file without log_size_max grows without bound: %s; %s", logs.Reason, logs.Detail)

	// The same container judged as if dockerd served it: daemon.json's.
	got = judge(t, map[string]string{"etc/docker/daemon.json": daemonJSON}, Engine{Kind: EngineDocker})
	assert.Equal(t, rule.StatusPass, got[rule.ContainerNoNewPrivileges].Status)
	assert.Equal(t, rule.StatusFail, got[rule.ContainerSeccomp].Status)
}
