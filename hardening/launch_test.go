package hardening_test

import (
	"context"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// existing creates and starts a plain container with an anonymous volume
// under name, the way someone else's "db" would exist before a launch, and
// returns its ID and the volume's name.
func existing(t *testing.T, cli *client.Client, image, name string) (string, string) {
	t.Helper()
	ctx := context.Background()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config:     &container.Config{Image: image, User: "65534:65534", Cmd: []string{"sleep"}, Volumes: map[string]struct{}{"/data": {}}},
		HostConfig: &container.HostConfig{NetworkMode: "none"}})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
	_, err = cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{})
	require.NoError(t, err)
	ins, err := cli.ContainerInspect(ctx, res.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	var vol string
	for _, m := range ins.Container.Mounts {
		if m.Destination == "/data" {
			vol = m.Name
		}
	}
	require.NotEmpty(t, vol, "the existing container has an anonymous volume")
	return res.ID, vol
}

// assertUntouched checks that the container is still there with its ID,
// running, and that its anonymous volume still exists.
func assertUntouched(t *testing.T, cli *client.Client, name, id, vol string) {
	t.Helper()
	ctx := context.Background()
	ins, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	require.NoError(t, err, "the existing container %s is gone", name)
	assert.Equal(t, id, ins.Container.ID, "the name still belongs to the existing container")
	assert.True(t, ins.Container.State.Running, "the existing container is still running (state %s)", ins.Container.State.Status)
	_, err = cli.VolumeInspect(ctx, vol, client.VolumeInspectOptions{})
	assert.NoError(t, err, "the existing container's anonymous volume %s is still there", vol)
}

func TestLaunchUnderATakenNameRemovesNothing(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("name conflict", func(t *testing.T) {
		name := dockertest.Name("db")
		id, vol := existing(t, cli, img.Ref, name)
		_, err := hardening.Run(ctx, cli, img.Ref, hardening.WithName(name), hardening.WithNetwork(netName), hardening.WithNonRootUser())
		require.Error(t, err)
		t.Logf("refused: %v", err)
		assertUntouched(t, cli, name, id, vol)
	})
	t.Run("refused by a rule", func(t *testing.T) {
		name := dockertest.Name("db")
		id, vol := existing(t, cli, img.Ref, name)
		open := dockertest.Name("open")
		nres, err := cli.NetworkCreate(ctx, open, client.NetworkCreateOptions{Driver: "bridge"})
		require.NoError(t, err)
		dockertest.RemoveNetworkOnCleanup(t, cli, nres.ID)
		_, err = hardening.Run(ctx, cli, img.Ref, hardening.WithName(name), hardening.WithNetwork(open), hardening.WithNonRootUser())
		var v *rule.Violation
		require.ErrorAs(t, err, &v)
		assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
		assertUntouched(t, cli, name, id, vol)
		_, err = cli.NetworkInspect(ctx, nres.ID, client.NetworkInspectOptions{})
		assert.NoError(t, err, "the caller's network is kept")
	})
	t.Run("start fails", func(t *testing.T) {
		// A launch that gets as far as creating its own container, then
		// fails, removes that container by ID and nothing else.
		name := dockertest.Name("db")
		id, vol := existing(t, cli, img.Ref, name)
		_, err := hardening.Run(ctx, failingStart{Client: cli}, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(),
			hardening.WithLabels(map[string]string{"test.owner": name}))
		require.ErrorContains(t, err, "injected")
		assertUntouched(t, cli, name, id, vol)
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", "test.owner="+name)})
		require.NoError(t, err)
		assert.Empty(t, list.Items, "the launch's own container was removed")
	})
}
