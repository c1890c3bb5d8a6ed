package inspect_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/internal/inspect"
)

// startPlain creates and starts an unhardened probe container and registers
// its removal by ID.
func startPlain(t *testing.T, cli *client.Client, image string, hc *container.HostConfig, cmd ...string) string {
	t.Helper()
	ctx := context.Background()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: image, Entrypoint: cmd[:1], Cmd: cmd[1:]},
		HostConfig: hc,
		Name:       dockertest.Name("proc"),
	})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
	_, err = cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{})
	require.NoError(t, err)
	return res.ID
}

// On a local daemon, /proc gives the same process list as ContainerTop —
// including a docker exec child and a --pid=host container — and says so.
func TestProcListerAgreesWithTop(t *testing.T) {
	cli := dockertest.Client(t)
	// No HEALTHCHECK: its runs appear for a moment in the process lists
	// this test compares across two reads.
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{NoHealthcheck: true})
	ctx := context.Background()

	sshd := startPlain(t, cli, img.Ref, nil, "/usr/sbin/sshd")
	hostPID := startPlain(t, cli, img.Ref, &container.HostConfig{PidMode: "host"}, "/probe", "sleep")
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	hard, err := hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, hard.ID)

	ex, err := cli.ExecCreate(ctx, sshd, client.ExecCreateOptions{Cmd: []string{"/probe", "sleep", "60"}})
	require.NoError(t, err)
	_, err = cli.ExecStart(ctx, ex.ID, client.ExecStartOptions{Detach: true})
	require.NoError(t, err)

	top := hardening.TopLister{Client: cli}
	require.Eventually(t, func() bool {
		ins, err := cli.ContainerInspect(ctx, sshd, client.ContainerInspectOptions{})
		if err != nil {
			return false
		}
		cmds, _, err := top.Processes(ctx, &ins.Container)
		return err == nil && len(cmds) == 2
	}, 10*time.Second, 50*time.Millisecond, "the exec child never showed in top")

	proc := inspect.NewProcLister(top) // one snapshot for all three
	for _, id := range []string{sshd, hostPID, hard.ID} {
		ins, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		require.NoError(t, err)
		c := &ins.Container
		want, _, err := top.Processes(ctx, c)
		require.NoError(t, err)
		got, how, err := proc.Processes(ctx, c)
		require.NoError(t, err)
		assert.Equal(t, "proc", how, c.Name)
		assert.Equal(t, slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got)), c.Name)
	}
}

// A container the snapshot does not show (started after it) is answered by
// ContainerTop, and says so.
func TestProcListerFallsBackToTop(t *testing.T) {
	cli := dockertest.Client(t)
	// No HEALTHCHECK: its runs appear for a moment in the process lists
	// this test compares across two reads.
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{NoHealthcheck: true})
	ctx := context.Background()
	proc := inspect.NewProcLister(hardening.TopLister{Client: cli})
	require.NoError(t, proc.Scan())
	id := startPlain(t, cli, img.Ref, nil, "/usr/sbin/sshd")
	ins, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	require.NoError(t, err)
	got, how, err := proc.Processes(ctx, &ins.Container)
	require.NoError(t, err)
	assert.Equal(t, "top", how)
	assert.Equal(t, []string{"/usr/sbin/sshd"}, got)
}
