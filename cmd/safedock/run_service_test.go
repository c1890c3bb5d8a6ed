package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
)

// safedock run with the service flags: what the daemon ran is what the
// flags said, the image's health check is tuned, and both networks are
// joined isolated.
func TestRunServiceFlagsReachTheDaemon(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	front, back := dockertest.Name("front"), dockertest.Name("back")
	dockertest.RemoveNetworkOnCleanup(t, cli, front)
	dockertest.RemoveNetworkOnCleanup(t, cli, back)
	name := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name)

	code, out, errOut := invoke("run", "-d", "--name", name, "-u", "65534", "--network", front, "--network", back, "--network-alias", "web",
		"-h", "svc-1", "-w", "/tmp", "--health-interval", "250ms", "--health-retries", "2", "--stop-signal", "SIGQUIT", "--stop-timeout", "4",
		"--ulimit", "nofile=1024:2048", "--sysctl", "net.ipv4.ip_unprivileged_port_start=1024", "--dns", "10.0.0.53", "--dns-search", "corp.example",
		"--add-host", "db:10.0.0.5", "--mount", "type=tmpfs,target=/run/app,tmpfs-size=1m", "--group-add", "100", "--shm-size", "16m",
		"--cpus", "0.5", "-m", "64m", "--memory-swap", "64m", "-p", "127.0.0.1::8080",
		img.Ref, "listen", "8080")
	require.Equal(t, exitOK, code, errOut)
	id := strings.TrimSpace(out)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	require.NoError(t, err)
	c := res.Container
	assert.True(t, c.State.Running)
	assert.Equal(t, "svc-1", c.Config.Hostname)
	assert.Equal(t, "/tmp", c.Config.WorkingDir)
	assert.Equal(t, "SIGQUIT", c.Config.StopSignal)
	assert.Equal(t, 4, *c.Config.StopTimeout)
	require.NotNil(t, c.Config.Healthcheck)
	assert.Equal(t, 250*time.Millisecond, c.Config.Healthcheck.Interval)
	assert.Equal(t, []string{"CMD", "/probe", "health"}, c.Config.Healthcheck.Test, "the image's test, tuned")
	hc := c.HostConfig
	require.Len(t, hc.Ulimits, 1)
	assert.Equal(t, container.Ulimit{Name: "nofile", Soft: 1024, Hard: 2048}, *hc.Ulimits[0])
	assert.Equal(t, "1024", hc.Sysctls["net.ipv4.ip_unprivileged_port_start"])
	assert.Equal(t, []string{"corp.example"}, hc.DNSSearch)
	assert.Equal(t, []string{"db:10.0.0.5"}, hc.ExtraHosts)
	require.Len(t, hc.Mounts, 1)
	assert.Equal(t, "/run/app", hc.Mounts[0].Target)
	assert.Equal(t, []string{"100"}, hc.GroupAdd)
	assert.EqualValues(t, 16<<20, hc.ShmSize)
	assert.EqualValues(t, 500_000_000, hc.NanoCPUs)
	assert.EqualValues(t, 64<<20, hc.MemorySwap)
	require.Contains(t, c.NetworkSettings.Networks, front)
	require.Contains(t, c.NetworkSettings.Networks, back)
	assert.Contains(t, c.NetworkSettings.Networks[front].Aliases, "web")
	for _, n := range []string{front, back} {
		ni, err := cli.NetworkInspect(ctx, c.NetworkSettings.Networks[n].NetworkID, client.NetworkInspectOptions{})
		require.NoError(t, err)
		assert.Equal(t, "false", ni.Network.Options[hardening.ICCOption], "%s created isolated", n)
	}

	// The health check passes on the tuned interval.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err = cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		require.NoError(t, err)
		if res.Container.State.Health != nil && res.Container.State.Health.Status == container.Healthy {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, container.Healthy, res.Container.State.Health.Status)

	// Refusals name the flag, before the daemon is asked.
	code, _, errOut = invoke("run", "--sysctl", "kernel.panic=1", "-u", "65534", img.Ref)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--sysctl")
	assert.Contains(t, errOut, "not namespaced")
	code, _, errOut = invoke("run", "--mount", "type=bind,source=/etc,target=/e", "-u", "65534", "--network", "none", img.Ref)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "container.sensitive-mounts")
	assert.Contains(t, errOut, "--waive container.sensitive-mounts=REASON")
}
