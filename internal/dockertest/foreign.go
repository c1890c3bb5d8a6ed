package dockertest

import (
	"context"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Foreign is a container that someone else made before a test's launch: a
// plain one (not safedock's), running, with an anonymous volume at /data.
// It is what a launcher must leave alone whatever goes wrong.
type Foreign struct {
	ID, Name string
	Volume   string // the anonymous volume's name
}

// StartForeign creates and starts a Foreign container from image under
// name (its process sleeps as 65534:65534, no network) and removes it, by
// ID, at cleanup.
func StartForeign(t testing.TB, cli *client.Client, image, name string) Foreign {
	t.Helper()
	ctx := context.Background()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config:     &container.Config{Image: image, User: "65534:65534", Cmd: []string{"sleep"}, Volumes: map[string]struct{}{"/data": {}}},
		HostConfig: &container.HostConfig{NetworkMode: "none"}})
	if err != nil {
		t.Fatalf("creating the foreign container %s: %v", name, err)
	}
	RemoveContainerOnCleanup(t, cli, res.ID)
	if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting the foreign container %s: %v", name, err)
	}
	ins, err := cli.ContainerInspect(ctx, res.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspecting the foreign container %s: %v", name, err)
	}
	for _, m := range ins.Container.Mounts {
		if m.Destination == "/data" {
			return Foreign{ID: res.ID, Name: name, Volume: m.Name}
		}
	}
	t.Fatalf("the foreign container %s has no anonymous volume", name)
	return Foreign{}
}

// CheckUntouched reports (t.Errorf) unless the name still belongs to the
// same container, still running, and its anonymous volume still exists.
func (f Foreign) CheckUntouched(t testing.TB, cli *client.Client) {
	t.Helper()
	ctx := context.Background()
	ins, err := cli.ContainerInspect(ctx, f.Name, client.ContainerInspectOptions{})
	if err != nil {
		t.Errorf("the existing container %s is gone: %v", f.Name, err)
		return
	}
	if ins.Container.ID != f.ID {
		t.Errorf("the name %s belongs to %s now, not to the existing container %s", f.Name, ins.Container.ID, f.ID)
	}
	if ins.Container.State == nil || !ins.Container.State.Running {
		t.Errorf("the existing container %s is no longer running (%+v)", f.Name, ins.Container.State)
	}
	if _, err := cli.VolumeInspect(ctx, f.Volume, client.VolumeInspectOptions{}); err != nil {
		t.Errorf("the existing container's anonymous volume %s is gone: %v", f.Volume, err)
	}
}

// CreateContainer creates a container named prefix-<random> from cfg and
// hc (nil: an empty HostConfig) with the raw API, the way a plain docker
// run would, starts it when start is set, removes it by ID at cleanup, and
// returns its name.
func CreateContainer(t testing.TB, cli *client.Client, prefix string, cfg *container.Config, hc *container.HostConfig, start bool) string {
	t.Helper()
	if hc == nil {
		hc = &container.HostConfig{}
	}
	name := Name(prefix)
	ctx := context.Background()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: cfg, HostConfig: hc})
	if err != nil {
		t.Fatalf("creating container %s: %v", name, err)
	}
	RemoveContainerOnCleanup(t, cli, res.ID)
	if start {
		if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
			t.Fatalf("starting container %s: %v", name, err)
		}
	}
	return name
}
