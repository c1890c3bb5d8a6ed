package hardening_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// TestLaunchOnRootlessDockerd: on a real rootless dockerd without cgroup
// delegation (cgroup driver "none", as on this cgroup v1 host), a hardened
// launch would get memory and pids limits the daemon records and discards:
// it is refused with a *rule.Violation per limit and nothing is left on the
// daemon. With those rules waived by name the launch runs, in the kernel
// view as hardened as on a rootful daemon otherwise. A privileged port is
// the daemon's own clear error, not a crash.
func TestLaunchOnRootlessDockerd(t *testing.T) {
	d := dockertest.StartRootless(t, nil)
	cli := d.Client
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	info, err := cli.Info(ctx, client.InfoOptions{})
	require.NoError(t, err)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	_, err = hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(), hardening.WithCmd("status"))
	if info.Info.CgroupDriver == "none" {
		require.Error(t, err)
		var v *rule.Violation
		require.True(t, errors.As(err, &v), "%v", err)
		assert.Contains(t, err.Error(), string(rule.ContainerMemoryLimit))
		assert.Contains(t, err.Error(), string(rule.ContainerPidsLimit))
		assert.Contains(t, err.Error(), "rootless daemon")
		t.Logf("refused: %v", err)
		list, lerr := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
		require.NoError(t, lerr)
		assert.Empty(t, list.Items, "a refused launch leaves no container")
	} else {
		require.NoError(t, err, "a rootless daemon with cgroup delegation enforces the limits")
	}

	c, err := hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(), hardening.WithCmd("status"),
		hardening.Waive(rule.ContainerMemoryLimit, "rootless dockerd on cgroup v1: no memory controller"),
		hardening.Waive(rule.ContainerPidsLimit, "rootless dockerd on cgroup v1: no pids controller"),
		hardening.Waive(rule.ContainerCPUShares, "rootless dockerd on cgroup v1: no cpu controller"))
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	code, err := c.Wait(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 0, code)

	_, err = hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(), hardening.WithCmd("listen", "80"),
		hardening.WithAddedPort("127.0.0.1:80:80"), hardening.Waive(rule.ContainerPrivilegedPorts, "the test asks for port 80"),
		hardening.Waive(rule.ContainerMemoryLimit, "cgroup v1"), hardening.Waive(rule.ContainerPidsLimit, "cgroup v1"), hardening.Waive(rule.ContainerCPUShares, "cgroup v1"))
	require.Error(t, err, "rootlesskit cannot bind port 80 unless net.ipv4.ip_unprivileged_port_start allows it")
	t.Logf("privileged port: %v", err)
	assert.Contains(t, err.Error(), "privileged port")
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	require.NoError(t, err)
	assert.Len(t, list.Items, 1, "only the waived launch's container: the refused one was removed")
}
