package hardening_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/internal/inspect"
	"github.com/safedock/safedock/rule"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

// launch runs a hardened container on a network unique to the test and
// registers cleanup of the container and the network by ID/name.
func launch(t *testing.T, cli *client.Client, image string, netName string, opts ...hardening.Option) *hardening.Container {
	t.Helper()
	ctx := context.Background()
	all := append([]hardening.Option{hardening.WithNetwork(netName)}, opts...)
	c, err := hardening.Run(ctx, cli, image, all...)
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	return c
}

func output(t *testing.T, c *hardening.Container) string {
	t.Helper()
	var out, errOut bytes.Buffer
	require.NoError(t, c.Logs(context.Background(), &out, &errOut, false))
	return out.String() + errOut.String()
}

func TestLaunchedContainerIsHardenedInTheKernel(t *testing.T) {
	cli := dockertest.Client(t)
	assertLaunchIsHardenedInTheKernel(t, cli)
}

// assertLaunchIsHardenedInTheKernel launches the probe hardened (non-root,
// PIDs and memory limits) on a network of its own and checks, from the
// probe's view of /proc/self/status and the filesystem, what the kernel
// applies: no capabilities, no_new_privs, a seccomp filter, uid 65534, a
// read-only / with a writable /tmp, the cgroup limits. Every engine's test
// calls it.
func assertLaunchIsHardenedInTheKernel(t *testing.T, cli *client.Client, opts ...hardening.Option) {
	t.Helper()
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	c := launch(t, cli, img.Ref, netName, append([]hardening.Option{
		hardening.WithNonRootUser(), hardening.WithCmd("status"),
		hardening.WithPidsLimit(64), hardening.WithMemory(64 << 20)}, opts...)...)
	assert.Equal(t, img.ID, c.ImageID, "launched by the resolved image ID")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := c.Wait(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 0, code, output(t, c))

	var st dockertest.ProbeStatus
	out := output(t, c)
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(strings.Split(out, "\n")[0])), &st), out)
	t.Logf("probe inside the hardened container: %s", strings.TrimSpace(out))
	assert.Equal(t, "0000000000000000", st.CapEff, "CapEff")
	assert.Equal(t, "0000000000000000", st.CapPrm, "CapPrm")
	assert.Equal(t, "0000000000000000", st.CapBnd, "CapBnd")
	assert.Equal(t, "1", st.NoNewPrivs)
	assert.Equal(t, "2", st.Seccomp, "seccomp filter mode")
	assert.Equal(t, 65534, st.UID)
	assert.Contains(t, st.WriteRoot, "read-only file system")
	assert.Equal(t, "ok", st.WriteTmp, "the tmpfs at /tmp is writable")
	assert.Equal(t, "64", st.PidsMax, "PIDs limit in the container's cgroup")
	assert.Equal(t, "67108864", st.MemoryLimit, "memory limit in the container's cgroup")

	ins, err := cli.ContainerInspect(context.Background(), c.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, img.Ref, ins.Container.Config.Labels[hardening.LabelImageRef])
	assert.Equal(t, img.ID, ins.Container.Image)
}

func TestRunRefusesRootUnlessUserOrWaiver(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{}) // no USER: root
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	name := dockertest.Name("root")

	_, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithNetwork(netName), hardening.WithName(name))
	var v *rule.Violation
	require.ErrorAs(t, err, &v)
	assert.Equal(t, rule.ContainerNonRootUser, v.Rule)
	_, err = cli.ContainerInspect(context.Background(), name, client.ContainerInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "a refused launch creates nothing: %v", err)
	_, err = cli.NetworkInspect(context.Background(), netName, client.NetworkInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "a refused launch creates no network: %v", err)

	c := launch(t, cli, img.Ref, netName, hardening.WithCmd("status"),
		hardening.Waive(rule.ContainerNonRootUser, "probe must read root-only files"))
	_, err = c.Wait(context.Background())
	require.NoError(t, err)
	assert.Contains(t, output(t, c), `"uid":0`)

	// An image whose USER is non-root needs neither.
	nonroot := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{User: "65534:65534"})
	c2 := launch(t, cli, nonroot.Ref, netName, hardening.WithCmd("status"))
	_, err = c2.Wait(context.Background())
	require.NoError(t, err)
	assert.Contains(t, output(t, c2), `"uid":65534`)
}

func TestRestartsExactlyFiveTimes(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("exit", "1"))

	deadline := time.Now().Add(60 * time.Second)
	var ins container.InspectResponse
	for time.Now().Before(deadline) {
		res, err := cli.ContainerInspect(context.Background(), c.ID, client.ContainerInspectOptions{})
		require.NoError(t, err)
		ins = res.Container
		if !ins.State.Running && !ins.State.Restarting && ins.RestartCount >= 5 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Give a sixth restart (which must not happen) time to show up.
	time.Sleep(3 * time.Second)
	res, err := cli.ContainerInspect(context.Background(), c.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, 5, res.Container.RestartCount)
	assert.Equal(t, 1, res.Container.State.ExitCode)
	assert.False(t, res.Container.State.Running)
}

// containerIP returns the container's address on netName.
func containerIP(t *testing.T, cli *client.Client, id, netName string) string {
	t.Helper()
	res, err := cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	require.NoError(t, err)
	ep := res.Container.NetworkSettings.Networks[netName]
	require.NotNil(t, ep, "container not on %s", netName)
	return ep.IPAddress.String()
}

func waitForLog(t *testing.T, c *hardening.Container, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(output(t, c), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("container %s never printed %q; output: %s", c.Name, want, output(t, c))
}

func TestContainersOnTheLauncherNetworkCannotTalk(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})

	connect := func(netName string, opts ...hardening.Option) (int64, string) {
		server := launch(t, cli, img.Ref, netName, append([]hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("listen", "8080")}, opts...)...)
		waitForLog(t, server, "listening")
		ip := containerIP(t, cli, server.ID, netName)
		clientC := launch(t, cli, img.Ref, netName, append([]hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("connect", ip+":8080"), hardening.WithRestartPolicy("no", 0)}, opts...)...)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code, err := clientC.Wait(ctx)
		require.NoError(t, err)
		return code, output(t, clientC)
	}

	isolated := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, isolated)
	code, out := connect(isolated)
	assert.NotEqualValues(t, 0, code, "a client on the launcher's network must not reach another container: %s", out)
	ins, err := cli.NetworkInspect(context.Background(), isolated, client.NetworkInspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, "false", ins.Network.Options[hardening.ICCOption])

	// Control: the same pair on a network with ICC enabled does connect, so
	// the failure above is the isolation and not a broken test.
	open := dockertest.Name("net")
	created, err := cli.NetworkCreate(context.Background(), open, client.NetworkCreateOptions{Driver: "bridge"})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, created.ID)
	_, err = hardening.Run(context.Background(), cli, img.Ref, hardening.WithNetwork(open), hardening.WithNonRootUser())
	var v *rule.Violation
	require.ErrorAs(t, err, &v, "an existing network with ICC on is refused")
	assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
	code, out = connect(open, hardening.Waive(rule.ContainerNetworkIsolation, "control group for the ICC test"))
	assert.EqualValues(t, 0, code, "control: with ICC on the client connects: %s", out)
}

// failingStart makes ContainerStart fail after the container was created,
// the way a daemon that fails mid-launch does. With cancel it also cancels
// the caller's context first.
type failingStart struct {
	hardening.Client
	cancel context.CancelFunc
}

func (f failingStart) ContainerStart(ctx context.Context, id string, o client.ContainerStartOptions) (client.ContainerStartResult, error) {
	if f.cancel != nil {
		f.cancel()
		return client.ContainerStartResult{}, ctx.Err()
	}
	return client.ContainerStartResult{}, errors.New("injected: start failed")
}

func assertNothingLeft(t *testing.T, cli *client.Client, name, netName string) {
	t.Helper()
	_, err := cli.ContainerInspect(context.Background(), name, client.ContainerInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "container %s left behind (err=%v)", name, err)
	_, err = cli.NetworkInspect(context.Background(), netName, client.NetworkInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "network %s left behind (err=%v)", netName, err)
}

func TestFailedLaunchLeavesNothingBehind(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})

	t.Run("missing entrypoint", func(t *testing.T) {
		name, netName := dockertest.Name("fail"), dockertest.Name("net")
		dockertest.RemoveContainerOnCleanup(t, cli, name)
		dockertest.RemoveNetworkOnCleanup(t, cli, netName)
		_, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithName(name), hardening.WithNetwork(netName),
			hardening.WithNonRootUser(), hardening.WithEntrypoint("/does-not-exist"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "starting container")
		assertNothingLeft(t, cli, name, netName)
	})
	t.Run("daemon fails at start", func(t *testing.T) {
		name, netName := dockertest.Name("fail"), dockertest.Name("net")
		dockertest.RemoveContainerOnCleanup(t, cli, name)
		dockertest.RemoveNetworkOnCleanup(t, cli, netName)
		_, err := hardening.Run(context.Background(), failingStart{Client: cli}, img.Ref, hardening.WithName(name),
			hardening.WithNetwork(netName), hardening.WithNonRootUser())
		require.ErrorContains(t, err, "injected")
		assertNothingLeft(t, cli, name, netName)
	})
	t.Run("context cancelled mid-launch", func(t *testing.T) {
		name, netName := dockertest.Name("fail"), dockertest.Name("net")
		dockertest.RemoveContainerOnCleanup(t, cli, name)
		dockertest.RemoveNetworkOnCleanup(t, cli, netName)
		ctx, cancel := context.WithCancel(context.Background())
		_, err := hardening.Run(ctx, failingStart{Client: cli, cancel: cancel}, img.Ref, hardening.WithName(name),
			hardening.WithNetwork(netName), hardening.WithNonRootUser())
		require.ErrorIs(t, err, context.Canceled)
		assertNothingLeft(t, cli, name, netName)
	})
	t.Run("image not present", func(t *testing.T) {
		_, err := hardening.Run(context.Background(), cli, "safedock-test-absent:never", hardening.WithNonRootUser())
		require.ErrorIs(t, err, hardening.ErrImageNotFound)
		assert.Contains(t, err.Error(), "never pulls")
	})
}

// insecure creates (and, when start is set, starts) a deliberately insecure
// container with the raw API, the way a careless docker run would.
func insecure(t *testing.T, cli *client.Client, image string, start bool, cmd []string, mutate func(*container.HostConfig)) string {
	t.Helper()
	hc := &container.HostConfig{}
	mutate(hc)
	return dockertest.CreateContainer(t, cli, "insecure", &container.Config{Image: image, Cmd: cmd}, hc, start)
}

func TestAuditReportsInsecureContainersAndPassesHardenedOnes(t *testing.T) {
	cli := dockertest.Client(t)
	// No HEALTHCHECK: a health-check run changes a container's live state
	// (health log, exec IDs, a moment in its process list), and this test
	// compares inspects and findings read at different moments.
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{NoHealthcheck: true})
	sleep := []string{"sleep"}

	cases := []struct {
		name  string
		start bool
		cmd   []string
		hc    func(*container.HostConfig)
		rule  rule.ID
		cis   string
	}{
		// Privileged containers cannot start in this sandbox (no CAP_SYS_RESOURCE): audited created.
		{"privileged", false, sleep, func(hc *container.HostConfig) { hc.Privileged = true }, rule.ContainerPrivileged, "5.5"},
		{"etc-rw", true, sleep, func(hc *container.HostConfig) { hc.Binds = []string{"/etc:/host-etc"} }, rule.ContainerSensitiveMounts, "5.6"},
		{"docker-sock", true, sleep, func(hc *container.HostConfig) { hc.Binds = []string{"/var/run/docker.sock:/var/run/docker.sock"} }, rule.ContainerDockerSocket, "5.32"},
		{"port-80", false, sleep, func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("8080/tcp"): {{HostPort: "80"}}}
		}, rule.ContainerPrivilegedPorts, "5.8"},
		{"host-pid", true, sleep, func(hc *container.HostConfig) { hc.PidMode = "host" }, rule.ContainerHostPID, "5.16"},
		{"host-net", true, sleep, func(hc *container.HostConfig) { hc.NetworkMode = "host" }, rule.ContainerHostNetwork, "5.10"},
		{"sys-admin", true, sleep, func(hc *container.HostConfig) { hc.CapAdd = []string{"SYS_ADMIN"} }, rule.ContainerCapabilities, "5.4"},
		{"seccomp-unconfined", true, sleep, func(hc *container.HostConfig) { hc.SecurityOpt = []string{"seccomp=unconfined"} }, rule.ContainerSeccomp, "5.22"},
	}
	names := map[string]string{}
	for _, c := range cases {
		names[c.name] = insecure(t, cli, img.Ref, c.start, c.cmd, c.hc)
	}
	// A process named sshd, found through the API's process list (the image has no ps).
	sshdName := dockertest.Name("sshd")
	res, err := cli.ContainerCreate(context.Background(), client.ContainerCreateOptions{
		Name: sshdName, Config: &container.Config{Image: img.Ref, Entrypoint: []string{"/usr/sbin/sshd"}}, HostConfig: &container.HostConfig{},
	})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
	_, err = cli.ContainerStart(context.Background(), res.ID, client.ContainerStartOptions{})
	require.NoError(t, err)

	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	hardened := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	waived := launch(t, cli, img.Ref, netName, hardening.WithCmd("sleep"), hardening.Waive(rule.ContainerNonRootUser, "legacy image"))

	report, err := hardening.Audit(context.Background(), cli, hardening.AuditOptions{All: true})
	require.NoError(t, err)
	byTarget := map[string]map[rule.ID]rule.Finding{}
	for _, f := range report.Findings {
		if byTarget[f.Target] == nil {
			byTarget[f.Target] = map[rule.ID]rule.Finding{}
		}
		byTarget[f.Target][f.Rule] = f
	}
	for _, c := range cases {
		f := byTarget["container:"+names[c.name]][c.rule]
		assert.Equal(t, rule.StatusFail, f.Status, "%s: %s should fail %s; got %+v", c.name, names[c.name], c.rule, f)
		assert.Contains(t, f.CIS, c.cis, c.name)
		assert.NotEmpty(t, f.Detail, c.name)
	}
	sshd := byTarget["container:"+sshdName][rule.ContainerNoSSHD]
	assert.Equal(t, rule.StatusFail, sshd.Status, "%+v", sshd)
	assert.Equal(t, []string{"5.7"}, sshd.CIS)
	assert.Equal(t, "top", sshd.Method)

	for target, fs := range map[string]map[rule.ID]rule.Finding{"hardened": byTarget["container:"+hardened.Name], "waived": byTarget["container:"+waived.Name]} {
		require.NotEmpty(t, fs, target)
		for id, f := range fs {
			assert.NotEqual(t, rule.StatusFail, f.Status, "%s container: %s failed: %s (%s)", target, id, f.Reason, f.Detail)
		}
		assert.Equal(t, rule.StatusPass, fs[rule.ContainerNoSSHD].Status, "running container's process list was read")
	}
	assert.Equal(t, rule.StatusWaived, byTarget["container:"+waived.Name][rule.ContainerNonRootUser].Status)
	assert.Equal(t, rule.StatusPass, byTarget["container:"+hardened.Name][rule.ContainerNonRootUser].Status)

	// The FastInspector reads the same inspects and the audit reaches the
	// same findings on every one of these containers.
	fi, err := inspect.NewFastInspector(cli, 4)
	require.NoError(t, err)
	defer fi.Close()
	ours := []string{sshdName, hardened.Name, waived.Name}
	for _, n := range names {
		ours = append(ours, n)
	}
	for _, name := range ours {
		want, err := cli.ContainerInspect(context.Background(), name, client.ContainerInspectOptions{})
		require.NoError(t, err)
		got, err := fi.Inspect(context.Background(), want.Container.ID)
		require.NoError(t, err)
		require.Equal(t, want.Container, *got, name)
	}
	fast, err := hardening.Audit(context.Background(), cli, hardening.AuditOptions{All: true, Inspector: fi})
	require.NoError(t, err)
	fastByTarget := map[string][]rule.Finding{}
	for _, f := range fast.Findings {
		fastByTarget[f.Target] = append(fastByTarget[f.Target], f)
	}
	slowByTarget := map[string][]rule.Finding{}
	for _, f := range report.Findings {
		slowByTarget[f.Target] = append(slowByTarget[f.Target], f)
	}
	for _, name := range ours {
		require.NotEmpty(t, slowByTarget["container:"+name], name)
		assert.Equal(t, slowByTarget["container:"+name], fastByTarget["container:"+name], name)
	}
}
