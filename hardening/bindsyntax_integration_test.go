package hardening

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

// TestParseBindAgreesWithDockerd asks the real dockerd about every form of
// the corpus: it creates (never starts) a container with the bind, and
// parseBind must accept exactly what dockerd accepts. Containers and the
// named volumes they made are removed by ID and name.
func TestParseBindAgreesWithDockerd(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx := context.Background()
	vol := dockertest.Name("bindvol")
	t.Cleanup(func() { _, _ = cli.VolumeRemove(context.Background(), vol, client.VolumeRemoveOptions{Force: true}) })
	for _, c := range bindCorpus {
		bind := strings.ReplaceAll(c.bind, "VOL", vol)
		require.Equal(t, c.accept, func() bool { _, err := parseBind(bind); return err == nil }(), "parseBind(%q)", bind)
		res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Config:     &container.Config{Image: img.ID, Cmd: []string{"status"}},
			HostConfig: &container.HostConfig{Binds: []string{bind}, NetworkMode: "none"},
		})
		if err == nil {
			dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
		}
		assert.Equal(t, c.accept, err == nil, "dockerd on %q: %v", bind, err)
		if err != nil || c.bind == "/anon" {
			continue
		}
		// What dockerd recorded agrees with what parseBind read.
		ins, err := cli.ContainerInspect(ctx, res.ID, client.ContainerInspectOptions{})
		require.NoError(t, err)
		m, _ := parseBind(bind)
		require.Len(t, ins.Container.Mounts, 1, bind)
		got := ins.Container.Mounts[0]
		assert.Equal(t, m.Type, got.Type, bind)
		assert.Equal(t, m.Destination, got.Destination, bind)
		assert.Equal(t, m.RW, got.RW, bind)
		if m.Type == "bind" {
			assert.Equal(t, m.Source, got.Source, "dockerd cleans the source and does not resolve it: %s", bind)
		}
	}
}
