package hardening_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func fastHealth(test ...string) *container.HealthConfig {
	return &container.HealthConfig{Test: append([]string{"CMD"}, test...), Interval: 200 * time.Millisecond,
		Timeout: 2 * time.Second, Retries: 2}
}

// A service as tests use one: healthy, reachable on a random host port,
// exec'd into, logged, restarted and stopped.
func TestContainerServesLikeAService(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("listen", "8080"),
		hardening.WithAddedPort("127.0.0.1::8080"), hardening.WithHealthcheck(fastHealth("/probe", "health")),
		hardening.WithWorkingDir("/tmp"), hardening.WithHostname("svc-1"), hardening.WithStopTimeout(3*time.Second))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, c.WaitHealthy(ctx))
	t.Logf("healthy after %s", time.Since(start))

	ins, err := c.Inspect(ctx)
	require.NoError(t, err)
	assert.Equal(t, container.Healthy, ins.State.Health.Status)
	assert.Equal(t, "svc-1", ins.Config.Hostname)
	assert.Equal(t, "/tmp", ins.Config.WorkingDir)
	require.NotNil(t, ins.Config.StopTimeout)
	assert.Equal(t, 3, *ins.Config.StopTimeout)

	addr, err := c.HostPort(ctx, "8080/tcp")
	require.NoError(t, err)
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	assert.NotEqual(t, "0", port, "the random host port the daemon chose")
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	conn, err := dockertest.DialPublished(dctx, addr)
	require.NoError(t, err, "the service answers on %s", addr)
	line, _ := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	assert.Equal(t, "hello\n", line)
	addr2, err := c.HostPort(ctx, "8080")
	require.NoError(t, err)
	assert.Equal(t, addr, addr2, "tcp is the default protocol")
	_, err = c.HostPort(ctx, "9090/tcp")
	assert.ErrorContains(t, err, "not published")

	res, err := c.Exec(ctx, []string{"/probe", "echo", "from", "exec"}, hardening.ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, hardening.ExecResult{ExitCode: 0, Stdout: "from exec\n"}, res)
	res, err = c.Exec(ctx, []string{"/probe", "exit", "3"}, hardening.ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3, res.ExitCode)
	assert.Equal(t, "exiting with 3\n", res.Stdout)
	res, err = c.Exec(ctx, []string{"/probe", "nonsense"}, hardening.ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, res.ExitCode)
	assert.Equal(t, "unknown command nonsense\n", res.Stderr, "stderr is kept apart")
	res, err = c.Exec(ctx, []string{"/probe", "status"}, hardening.ExecOptions{})
	require.NoError(t, err)
	assert.Contains(t, res.Stdout, `"uid":65534`, "exec runs as the container's user")
	assert.Contains(t, res.Stdout, `"cap_eff":"0000000000000000"`)
	assert.Contains(t, res.Stdout, `"no_new_privs":"1"`)

	_, err = c.Exec(ctx, []string{"/probe", "status"}, hardening.ExecOptions{User: "0"})
	var v *rule.Violation
	require.ErrorAs(t, err, &v, "exec as root is refused without a waiver")
	assert.Equal(t, rule.ContainerNonRootUser, v.Rule)
	_, err = c.Exec(ctx, []string{"/probe", "status"}, hardening.ExecOptions{Privileged: true})
	require.ErrorAs(t, err, &v)
	assert.Equal(t, rule.ContainerPrivileged, v.Rule)

	var out bytes.Buffer
	require.NoError(t, c.LogsWith(ctx, &out, nil, hardening.LogOptions{Timestamps: true, Tail: 1}))
	ts, msg, ok := strings.Cut(strings.TrimSpace(out.String()), " ")
	require.True(t, ok, out.String())
	_, err = time.Parse(time.RFC3339Nano, ts)
	assert.NoError(t, err, "timestamped line %q", out.String())
	assert.Equal(t, "listening", msg)
	out.Reset()
	require.NoError(t, c.LogsWith(ctx, &out, nil, hardening.LogOptions{Since: time.Now().Add(time.Hour)}))
	assert.Empty(t, out.String(), "nothing since an hour from now")

	before := ins.State.StartedAt
	require.NoError(t, c.Restart(ctx, time.Second))
	ins, err = c.Inspect(ctx)
	require.NoError(t, err)
	assert.True(t, ins.State.Running)
	assert.NotEqual(t, before, ins.State.StartedAt, "restarted")
	require.NoError(t, c.WaitHealthy(ctx))
	out.Reset()
	require.NoError(t, c.LogsWith(ctx, &out, nil, hardening.LogOptions{}))
	assert.Equal(t, "listening\nlistening\n", out.String(), "two runs, two lines")

	start = time.Now()
	require.NoError(t, c.Stop(ctx, 0))
	ins, err = c.Inspect(ctx)
	require.NoError(t, err)
	assert.False(t, ins.State.Running)
	// The probe (Go) exits 2 on SIGTERM; a kill is 137.
	assert.Contains(t, []int{2, 137}, ins.State.ExitCode)
	assert.Less(t, time.Since(start), 10*time.Second)
	_, err = c.HostPort(ctx, "8080/tcp")
	assert.ErrorContains(t, err, "not running")
}

func TestWaitHealthyFailsFast(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	t.Run("unhealthy", func(t *testing.T) {
		c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("sleep"),
			hardening.WithHealthcheck(fastHealth("/probe", "exit", "1")))
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		start := time.Now()
		err := c.WaitHealthy(ctx)
		require.ErrorIs(t, err, hardening.ErrUnhealthy)
		assert.Contains(t, err.Error(), `last check exited 1: "exiting with 1"`)
		assert.Less(t, time.Since(start), 25*time.Second, "it did not wait for ctx")
		assert.NoError(t, ctx.Err())
	})
	t.Run("exited", func(t *testing.T) {
		c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("exit", "4"),
			hardening.WithRestartPolicy("no", 0), hardening.WithHealthcheck(fastHealth("/probe", "health")))
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := c.WaitHealthy(ctx)
		require.ErrorIs(t, err, hardening.ErrUnhealthy)
		assert.Contains(t, err.Error(), "exit code 4")
		assert.NoError(t, ctx.Err())
	})
	t.Run("no health check", func(t *testing.T) {
		c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("sleep"), hardening.WithNoHealthcheck())
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := c.WaitHealthy(ctx)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no health check")
	})
	t.Run("bounded by ctx", func(t *testing.T) {
		c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("sleep"),
			hardening.WithHealthcheck(&container.HealthConfig{Test: []string{"CMD", "/probe", "health"}, Interval: time.Hour, StartPeriod: time.Hour}))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := c.WaitHealthy(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "health starting")
	})
}

// Run joins every network by ID, creates the missing ones isolated and
// labelled with its launch, and Remove takes away only those it created.
func TestAddedNetworksAreIsolatedAndJoinedByID(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	front, back := dockertest.Name("front"), dockertest.Name("back")
	dockertest.RemoveNetworkOnCleanup(t, cli, front)
	// back exists already (made by the caller, not managed): joined, kept.
	made, err := cli.NetworkCreate(ctx, back, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, made.ID)

	c, err := hardening.Run(ctx, cli, img.Ref, hardening.WithNonRootUser(), hardening.WithCmd("sleep"),
		hardening.WithNetwork(front), hardening.WithNetworkAliases("web"), hardening.WithAddedNetwork(back, "api"))
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	require.Len(t, c.ExtraNetworks, 1)
	assert.Equal(t, made.ID, c.ExtraNetworks[0].ID)

	ins, err := c.Inspect(ctx)
	require.NoError(t, err)
	require.Contains(t, ins.NetworkSettings.Networks, front)
	require.Contains(t, ins.NetworkSettings.Networks, back)
	assert.Equal(t, c.NetworkID, ins.NetworkSettings.Networks[front].NetworkID)
	assert.Equal(t, made.ID, ins.NetworkSettings.Networks[back].NetworkID)
	assert.Contains(t, ins.NetworkSettings.Networks[front].Aliases, "web")
	assert.Contains(t, ins.NetworkSettings.Networks[back].Aliases, "api")
	fn, err := cli.NetworkInspect(ctx, c.NetworkID, client.NetworkInspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, "false", fn.Network.Options[hardening.ICCOption], "created isolated")
	assert.Equal(t, c.LaunchID, fn.Network.Labels[hardening.LabelLaunch])

	require.NoError(t, c.Remove(ctx))
	_, err = cli.NetworkInspect(ctx, c.NetworkID, client.NetworkInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "the network this launch created is removed with the container: %v", err)
	_, err = cli.NetworkInspect(ctx, made.ID, client.NetworkInspectOptions{})
	assert.NoError(t, err, "the caller's network is kept")
}

func TestAddedNetworkWithICCIsRefusedAndNothingIsLeft(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	front, open := dockertest.Name("front"), dockertest.Name("open")
	dockertest.RemoveNetworkOnCleanup(t, cli, front)
	made, err := cli.NetworkCreate(ctx, open, client.NetworkCreateOptions{Driver: "bridge"})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, made.ID)

	launchID := hardening.NewLaunchID()
	_, err = hardening.Run(ctx, cli, img.Ref, hardening.WithNonRootUser(), hardening.WithCmd("sleep"), hardening.WithLaunchID(launchID),
		hardening.WithNetwork(front), hardening.WithAddedNetwork(open))
	var v *rule.Violation
	require.ErrorAs(t, err, &v)
	assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
	assert.Contains(t, v.Reason, open)

	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("label", hardening.LabelLaunch+"="+launchID)})
	require.NoError(t, err)
	assert.Empty(t, nets.Items, "the network the launch created is removed")
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", hardening.LabelLaunch+"="+launchID)})
	require.NoError(t, err)
	assert.Empty(t, list.Items)
	_, err = cli.NetworkInspect(ctx, made.ID, client.NetworkInspectOptions{})
	assert.NoError(t, err, "the caller's network is untouched")
	assert.False(t, errors.Is(err, context.DeadlineExceeded))
}
