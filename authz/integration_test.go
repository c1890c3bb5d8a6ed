package authz_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/authz"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

// pluginDir is where dockerd discovers plugin sockets (NAME.sock). It is
// global to every dockerd on the host, so each test uses a unique name.
const pluginDir = "/run/docker/plugins"

// syncBuffer is a concurrency-safe decision log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// lateFacts reads facts from a daemon that starts after the plugin (dockerd
// checks its authorization plugins at startup, so the plugin comes first).
type lateFacts struct {
	f atomic.Pointer[authz.DockerFacts]
}

func (l *lateFacts) get() (*authz.DockerFacts, error) {
	if f := l.f.Load(); f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("daemon not started yet")
}
func (l *lateFacts) HostFacts(ctx context.Context) (hardening.HostFacts, error) {
	f, err := l.get()
	if err != nil {
		return hardening.HostFacts{}, err
	}
	return f.HostFacts(ctx)
}
func (l *lateFacts) ImageFacts(ctx context.Context, ref string) (*hardening.ImageFacts, error) {
	f, err := l.get()
	if err != nil {
		return nil, err
	}
	return f.ImageFacts(ctx, ref)
}
func (l *lateFacts) NetworkFacts(ctx context.Context, name string) (*hardening.NetworkFacts, error) {
	f, err := l.get()
	if err != nil {
		return nil, err
	}
	return f.NetworkFacts(ctx, name)
}

// plugin is an in-process plugin server on a unique socket in pluginDir.
type plugin struct {
	t      *testing.T
	name   string
	socket string
	srv    *authz.Server
	log    *syncBuffer
	facts  *lateFacts
	cancel context.CancelFunc
	done   chan error
}

func startPlugin(t *testing.T, opts ...authz.Option) *plugin {
	t.Helper()
	if os.Geteuid() != 0 {
		dockertest.Unavailable(t, "the plugin socket directory %s needs root", pluginDir)
	}
	require.NoError(t, os.MkdirAll(pluginDir, 0o700))
	p := &plugin{t: t, name: dockertest.Name("authz"), log: &syncBuffer{}, facts: &lateFacts{}}
	p.socket = filepath.Join(pluginDir, p.name+".sock")
	pol, err := authz.NewPolicy(append([]authz.Option{authz.WithFacts(p.facts, 5*time.Second)}, opts...)...)
	require.NoError(t, err)
	p.srv, err = authz.NewServer(pol, authz.NewDecisionLog(p.log), func(err error) { t.Errorf("decision log: %v", err) })
	require.NoError(t, err)
	p.start()
	t.Cleanup(func() {
		p.stop()
		_ = os.Remove(p.socket)
	})
	return p
}

func (p *plugin) start() {
	p.t.Helper()
	l, err := authz.Listen(p.socket)
	require.NoError(p.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() { p.done <- p.srv.Serve(ctx, l) }()
}

func (p *plugin) stop() {
	if p.cancel == nil {
		return
	}
	p.cancel()
	if err := <-p.done; err != nil {
		p.t.Errorf("plugin server: %v", err)
	}
	p.cancel = nil
}

// daemonWith starts a throwaway dockerd that asks p about every request.
func daemonWith(t *testing.T, p *plugin) *dockertest.Daemon {
	t.Helper()
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Args: []string{"--authorization-plugin=" + p.name}})
	f, err := authz.NewDockerFacts(d.Client)
	require.NoError(t, err)
	p.facts.f.Store(f)
	return d
}

// dockerCLI runs the docker CLI against d (the engine's own CLI when
// SAFEDOCK_ENGINE_PREFIX has one, else the first on PATH).
func dockerCLI(t *testing.T, d *dockertest.Daemon, args ...string) (string, error) {
	t.Helper()
	bin := "docker"
	if p := os.Getenv(dockertest.EnginePrefixEnv); p != "" {
		if _, err := os.Stat(filepath.Join(p, "usr", "bin", "docker")); err == nil {
			bin = filepath.Join(p, "usr", "bin", "docker")
		}
	}
	if _, err := exec.LookPath(bin); err != nil {
		dockertest.Unavailable(t, "docker CLI not installed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-H", d.Host}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir(), "DOCKER_BUILDKIT=0")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// rawHTTP sends one API request straight to d's unix socket.
func rawHTTP(t *testing.T, d *dockertest.Daemon, method, uri string, body any) (int, string) {
	t.Helper()
	sock := strings.TrimPrefix(d.Host, "unix://")
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "unix", sock)
	}}}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://docker"+uri, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := hc.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// hardened are the docker run flags that pass every container rule.
func hardened(network string) []string {
	return []string{"--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "-u", "65534:65534",
		"--pids-limit", "256", "-m", "512m", "--cpu-shares", "512", "--restart", "on-failure:5",
		"--log-opt", "max-size=10m", "--network", network}
}

func containerExists(t *testing.T, d *dockertest.Daemon, name string) bool {
	t.Helper()
	_, err := d.Client.ContainerInspect(context.Background(), name, client.ContainerInspectOptions{})
	return err == nil
}

func TestPluginJudgesEveryClient(t *testing.T) {
	waivers, err := authz.ParseWaivers([]byte(`waivers:
  - rule: container.privileged
    target: container:emulator-*
    reason: needs /dev/kvm
    expires: 2099-06-30
    approved-by: security-team
  - rule: container.capabilities
    target: container:emulator-*
    reason: privileged grants every capability
    expires: 2099-06-30
    approved-by: security-team
  - rule: container.seccomp
    target: container:emulator-*
    reason: privileged lifts seccomp
    expires: 2099-06-30
    approved-by: security-team
`))
	require.NoError(t, err)
	p := startPlugin(t, authz.WithWaivers(waivers))
	d := daemonWith(t, p)
	ctx := context.Background()

	// The build is a request the plugin judges: a plain build is allowed.
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("icc-off")
	nres, err := d.Client.NetworkCreate(ctx, netName, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, d.Client, nres.ID)

	t.Run("denied", func(t *testing.T) {
		cases := []struct {
			name  string
			flags []string
			rule  string
		}{
			{"privileged", []string{"--privileged"}, "container.privileged"},
			{"etc", []string{"-v", "/etc:/x"}, "container.sensitive-mounts"},
			{"sysadmin", []string{"--cap-add", "SYS_ADMIN"}, "container.capabilities"},
			{"pidhost", []string{"--pid", "host"}, "container.host-pid"},
			{"labelwaiver", []string{"--privileged", "--label", hardening.LabelWaivePrefix + "container.privileged=I said so"}, "container.privileged"},
			{"tag", []string{}, "container.image-pinned"},
		}
		for _, c := range cases {
			name := dockertest.Name("deny-" + c.name)
			image := img.ID
			if c.name == "tag" {
				image = img.Ref
			}
			args := append(append([]string{"run", "-d", "--name", name}, hardened(netName)...), c.flags...)
			out, err := dockerCLI(t, d, append(args, image, "sleep", "30")...)
			require.Error(t, err, "%s: docker run must be refused: %s", c.name, out)
			assert.Contains(t, out, "authorization denied by plugin "+p.name, c.name)
			assert.Contains(t, out, "["+c.rule+"]", c.name)
			assert.Contains(t, out, "Fix:", c.name)
			assert.Contains(t, out, "waive", c.name)
			assert.False(t, containerExists(t, d, name), "%s: container %s was created", c.name, name)
		}
	})

	var runningName string
	outer := t
	t.Run("allowed", func(t *testing.T) {
		runningName = dockertest.Name("ok")
		args := append(append([]string{"run", "-d", "--name", runningName}, hardened(netName)...), img.ID, "sleep", "60")
		out, err := dockerCLI(t, d, args...)
		require.NoError(t, err, out)
		id := strings.TrimSpace(out)
		dockertest.RemoveContainerOnCleanup(outer, d.Client, id)
		ins, err := d.Client.ContainerInspect(ctx, runningName, client.ContainerInspectOptions{})
		require.NoError(t, err)
		assert.True(t, ins.Container.State.Running, "hardened container runs")
		assert.Equal(t, id, ins.Container.ID)
	})

	t.Run("exec", func(t *testing.T) {
		require.NotEmpty(t, runningName)
		out, err := dockerCLI(t, d, "exec", "--privileged", runningName, "/probe", "status")
		require.Error(t, err, out)
		assert.Contains(t, out, "[container.privileged]")
		out, err = dockerCLI(t, d, "exec", "-u", "0", runningName, "/probe", "status")
		require.Error(t, err, out)
		assert.Contains(t, out, "[container.non-root-user]")
		out, err = dockerCLI(t, d, "exec", runningName, "/probe", "status")
		require.NoError(t, err, out)
		var st dockertest.ProbeStatus
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &st), out)
		assert.Equal(t, 65534, st.UID, "a plain exec runs as the container's user")
	})

	t.Run("volume", func(t *testing.T) {
		name := dockertest.Name("etcvol")
		out, err := dockerCLI(t, d, "volume", "create", "--driver", "local", "-o", "type=none", "-o", "o=bind", "-o", "device=/etc", name)
		require.Error(t, err, out)
		assert.Contains(t, out, "[container.sensitive-mounts]")
		_, ierr := d.Client.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
		assert.Error(t, ierr, "volume must not exist")
		// The same volume created inline by a --mount is judged too.
		cname := dockertest.Name("inline")
		args := append(append([]string{"create", "--name", cname}, hardened(netName)...),
			"--mount", "type=volume,src="+name+",dst=/x,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc", img.ID)
		out, err = dockerCLI(t, d, args...)
		require.Error(t, err, out)
		assert.Contains(t, out, "[container.sensitive-mounts]")
		assert.False(t, containerExists(t, d, cname))
	})

	t.Run("raw-http", func(t *testing.T) {
		name := dockertest.Name("raw")
		body := map[string]any{"Image": img.ID, "User": "65534", "HostConfig": map[string]any{"Privileged": true}}
		code, msg := rawHTTP(t, d, "POST", "/v1.41/containers/create?name="+name, body)
		assert.Equal(t, http.StatusForbidden, code, msg)
		assert.Contains(t, msg, "[container.privileged]")
		assert.False(t, containerExists(t, d, name))
		// dockerd 20.10 reads HostConfig fields at the top level of a
		// create body when HostConfig is absent: refused, not ignored.
		name = dockertest.Name("legacy")
		code, msg = rawHTTP(t, d, "POST", "/containers/create?name="+name, map[string]any{"Image": img.ID, "User": "65534", "Privileged": true})
		assert.Equal(t, http.StatusForbidden, code, msg)
		assert.Contains(t, msg, "[authz.judgeable]")
		assert.False(t, containerExists(t, d, name))
		// API < 1.24 accepts a HostConfig on start: the plugin refuses those
		// starts (dockerd 28 already refuses the version itself).
		okName := dockertest.Name("oldstart")
		code, msg = rawHTTP(t, d, "POST", "/v1.41/containers/create?name="+okName, map[string]any{"Image": img.ID, "User": "65534:65534",
			"HostConfig": map[string]any{"CapDrop": []string{"ALL"}, "ReadonlyRootfs": true, "SecurityOpt": []string{"no-new-privileges"},
				"PidsLimit": 256, "Memory": 512 << 20, "CpuShares": 512, "NetworkMode": netName,
				"RestartPolicy": map[string]any{"Name": "on-failure", "MaximumRetryCount": 5}}})
		require.Equal(t, http.StatusCreated, code, msg)
		var created struct{ ID string }
		require.NoError(t, json.Unmarshal([]byte(msg), &created))
		dockertest.RemoveContainerOnCleanup(t, d.Client, created.ID)
		code, msg = rawHTTP(t, d, "POST", "/v1.23/containers/"+created.ID+"/start", map[string]any{"Binds": []string{"/:/host"}, "Privileged": true})
		assert.GreaterOrEqual(t, code, 400, msg)
		t.Logf("start on API 1.23 with a HostConfig: %d %s", code, strings.TrimSpace(msg))
		if code == http.StatusForbidden {
			assert.Contains(t, msg, "[authz.judgeable]")
		}
		ins, err := d.Client.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
		require.NoError(t, err)
		assert.False(t, ins.Container.State.Running, "not started")
		assert.Empty(t, ins.Container.HostConfig.Binds, "no host bind slipped in on start")
		assert.False(t, ins.Container.HostConfig.Privileged)
		// A create whose body dockerd does not forward (not JSON) is denied.
		code, msg = rawHTTP(t, d, "POST", "/containers/create", nil)
		assert.Equal(t, http.StatusForbidden, code, msg)
		assert.Contains(t, msg, "[authz.judgeable]")
	})

	t.Run("waiver", func(t *testing.T) {
		name := dockertest.Name("x")
		name = "emulator-" + name
		args := append(append([]string{"create", "--name", name}, hardened(netName)...), "--privileged", img.ID)
		out, err := dockerCLI(t, d, args...)
		require.NoError(t, err, out)
		dockertest.RemoveContainerOnCleanup(t, d.Client, strings.TrimSpace(out))
		ins, err := d.Client.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		require.NoError(t, err)
		assert.True(t, ins.Container.HostConfig.Privileged)
		var logged map[string]any
		for _, l := range p.log.lines() {
			if l["endpoint"] == "container create" && l["container"] == name {
				logged = l
			}
		}
		require.NotNil(t, logged, "decision logged")
		assert.Equal(t, "allow", logged["decision"])
		assert.Contains(t, fmt.Sprint(logged["waived"]), "container.privileged")
		assert.Contains(t, fmt.Sprint(logged["waived"]), "needs /dev/kvm (approved by security-team, expires 2099-06-30)")
	})

	t.Run("log", func(t *testing.T) {
		lines := p.log.lines()
		if testing.Verbose() {
			for _, l := range lines {
				if l["decision"] != "allow" || l["endpoint"] != "read" {
					t.Logf("%v %v %v %v %v", l["decision"], l["endpoint"], l["target"], l["rules"], l["message"])
				}
			}
		}
		var build, denyPriv bool
		for _, l := range lines {
			for _, k := range []string{"time", "method", "path", "endpoint", "decision", "mode", "rules", "user", "tls_subject"} {
				require.Contains(t, l, k, "log line %v", l)
			}
			_, err := time.Parse(time.RFC3339Nano, l["time"].(string))
			require.NoError(t, err)
			if l["endpoint"] == "image build" && l["decision"] == "allow" {
				build = true
			}
			if l["decision"] == "deny" && strings.Contains(fmt.Sprint(l["rules"]), "container.privileged") && strings.HasPrefix(fmt.Sprint(l["container"]), "safedock-test-deny-privileged") {
				denyPriv = true
			}
		}
		assert.True(t, build, "the plain build was judged and allowed")
		assert.True(t, denyPriv, "the privileged run was logged as denied with its rule and container name")
	})
}

// TestPluginDownRefusesRequests shows what dockerd does while the plugin is
// down: it refuses every request (after its plugin client gives up
// retrying), and serves again once the plugin is back.
func TestPluginDownRefusesRequests(t *testing.T) {
	p := startPlugin(t)
	d := daemonWith(t, p)
	ctx := context.Background()
	_, err := d.Client.ContainerList(ctx, client.ContainerListOptions{})
	require.NoError(t, err, "plugin up: requests served")

	p.stop()
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	_, err = d.Client.ContainerList(cctx, client.ContainerListOptions{})
	cancel()
	took := time.Since(start)
	require.Error(t, err, "plugin down: dockerd must refuse")
	assert.Contains(t, err.Error(), p.name, "the refusal names the plugin")
	t.Logf("plugin down: refused after %v: %v", took.Round(time.Millisecond), err)

	p.start()
	_, err = d.Client.ContainerList(ctx, client.ContainerListOptions{})
	require.NoError(t, err, "plugin back: requests served again")
}

// TestPluginConcurrentRequests sends 1,000 concurrent API requests through
// a daemon that asks the plugin about each one; none may fail.
func TestPluginConcurrentRequests(t *testing.T) {
	p := startPlugin(t)
	d := daemonWith(t, p)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, 1000)
	for range 1000 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if _, err := d.Client.ContainerList(ctx, client.ContainerListOptions{All: true}); err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load(), "first error: %v", firstErr.Load())
	n := 0
	for _, l := range p.log.lines() {
		if l["endpoint"] == "read" && strings.HasSuffix(fmt.Sprint(l["path"]), "/containers/json") {
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 1000, "every request was judged and logged")
}

// TestDaemonRefusesToStartWithoutPlugin: a configured authorization plugin
// that does not answer keeps dockerd from starting at all.
func TestDaemonRefusesToStartWithoutPlugin(t *testing.T) {
	name := dockertest.Name("authz-absent")
	res := dockertest.BootConfig(t, nil, "--authorization-plugin="+name)
	require.True(t, res.Refused, "dockerd started without its authorization plugin")
	t.Logf("dockerd refused: %s", res.Error)
	assert.Contains(t, res.Error+res.Log, name)
}

// TestLegacyShapesWithoutPlugin shows, on a daemon without the plugin, why
// the plugin denies two legacy API shapes instead of ignoring them: dockerd
// 20.10 makes a privileged container from a create body with Privileged at
// the top level, and applies a HostConfig sent on start over API 1.23.
func TestLegacyShapesWithoutPlugin(t *testing.T) {
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	ctx := context.Background()
	ver, err := d.Client.ServerVersion(ctx, client.ServerVersionOptions{})
	require.NoError(t, err)
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})

	code, msg := rawHTTP(t, d, "POST", "/v1.41/containers/create", map[string]any{"Image": img.ID, "Privileged": true})
	var created struct{ ID string }
	if code == http.StatusCreated {
		require.NoError(t, json.Unmarshal([]byte(msg), &created))
		dockertest.RemoveContainerOnCleanup(t, d.Client, created.ID)
		ins, err := d.Client.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
		require.NoError(t, err)
		t.Logf("dockerd %s: top-level Privileged gave HostConfig.Privileged=%v", ver.Version, ins.Container.HostConfig.Privileged)
		if strings.HasPrefix(ver.Version, "20.10") {
			assert.True(t, ins.Container.HostConfig.Privileged, "20.10 reads HostConfig fields at the top level")
		}
	} else {
		t.Logf("dockerd %s refused the top-level shape: %d %s", ver.Version, code, msg)
	}

	code, msg = rawHTTP(t, d, "POST", "/v1.41/containers/create", map[string]any{"Image": img.ID, "Cmd": []string{"sleep", "30"}})
	require.Equal(t, http.StatusCreated, code, msg)
	require.NoError(t, json.Unmarshal([]byte(msg), &created))
	dockertest.RemoveContainerOnCleanup(t, d.Client, created.ID)
	code, msg = rawHTTP(t, d, "POST", "/v1.23/containers/"+created.ID+"/start", map[string]any{"Binds": []string{"/etc:/hostetc:ro"}})
	ins, err := d.Client.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	t.Logf("dockerd %s: start on API 1.23 with Binds: %d %s; Binds now %v", ver.Version, code, strings.TrimSpace(msg), ins.Container.HostConfig.Binds)
	if strings.HasPrefix(ver.Version, "20.10") {
		assert.Equal(t, []string{"/etc:/hostetc:ro"}, ins.Container.HostConfig.Binds, "20.10 applies a HostConfig sent on start")
	}
}
