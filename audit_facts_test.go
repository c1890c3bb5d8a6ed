package safedock_test

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// The container rules get the facts the host-side inputs hold: a daemon
// whose daemon.json sets "no-new-privileges": true gives every container
// no-new-privileges, and the daemon's own socket (here a throwaway dockerd's
// socket, at no default path) mounted into a container is the Docker socket.
// Both come from the one gathering of the running dockerd (found behind the
// client's socket) and its daemon.json.
func TestContainerRulesGetGatheredHostFacts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a throwaway dockerd")
	}
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: []byte(`{"no-new-privileges": true}`)})
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})
	ctx := context.Background()
	sock := strings.TrimPrefix(d.Host, "unix://")
	res, err := d.Client.ContainerCreate(ctx, client.ContainerCreateOptions{Name: dockertest.Name("facts"),
		Config:     &container.Config{Image: img.Ref, Cmd: []string{"sleep"}},
		HostConfig: &container.HostConfig{Binds: []string{sock + ":/run/docker.sock"}}})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, d.Client, res.ID)

	rep, err := safedock.Audit(ctx, safedock.Options{Client: d.Client, All: true, Only: []safedock.Section{safedock.SectionContainers}})
	require.NoError(t, err)
	got := map[rule.ID]rule.Finding{}
	for _, f := range rep.Findings {
		got[f.Rule] = f
	}
	require.Contains(t, got, rule.ContainerNoNewPrivileges)
	assert.Equal(t, rule.StatusPass, got[rule.ContainerNoNewPrivileges].Status, "%+v", got[rule.ContainerNoNewPrivileges])
	assert.Contains(t, got[rule.ContainerNoNewPrivileges].Reason, "daemon's default")
	assert.Equal(t, rule.StatusFail, got[rule.ContainerDockerSocket].Status, "%+v", got[rule.ContainerDockerSocket])
}
