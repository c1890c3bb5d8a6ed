package dockertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"golang.org/x/sys/unix"
)

// DaemonOptions configure a throwaway dockerd.
type DaemonOptions struct {
	// Config is the daemon.json content (nil: "{}").
	Config []byte
	// ConfigFunc, when set, builds the config from the daemon's unix socket
	// address (unix:///...) for configs that carry their own "hosts" key;
	// the helper then passes no -H flag.
	ConfigFunc func(socket string) []byte
	// Args are extra dockerd arguments.
	Args []string
	// Timeout bounds the wait for the API (default 60s).
	Timeout time.Duration
}

// Daemon is a throwaway dockerd in its own network namespace, with its own
// data root, exec root, pidfile and unix socket, under a short /tmp dir.
type Daemon struct {
	Dir    string // short directory holding everything
	Host   string // unix:///.../d.sock
	Client *client.Client
	PID    int // dockerd's PID (its netns is /proc/PID/ns/net)
	logw   *lockedWriter

	t       testing.TB
	opts    DaemonOptions
	cfgPath string
	cmd     *exec.Cmd
	done    chan struct{}
	mu      sync.Mutex
	stopped bool
}

// BootResult is the outcome of BootConfig.
type BootResult struct {
	Refused bool   // dockerd exited instead of serving the API
	Error   string // the line dockerd gave as its reason, when refused
	Log     string
}

func requireDockerd(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "a throwaway dockerd needs root")
	}
	for _, bin := range []string{"unshare", "ip"} {
		if _, err := exec.LookPath(bin); err != nil {
			Unavailable(t, "%s not installed: %v", bin, err)
		}
	}
	if _, err := dockerdPath(); err != nil {
		Unavailable(t, "%v", err)
	}
}

// EnginePrefixEnv names a directory holding another Docker Engine unpacked
// from its Debian packages (usr/sbin/dockerd, usr/bin/containerd, ...), as
// scripts/modern-engine makes it. When set, throwaway daemons run that
// engine's dockerd, with its containerd, shim and docker-init first on PATH.
const EnginePrefixEnv = "SAFEDOCK_ENGINE_PREFIX"

// dockerdPath returns the dockerd throwaway daemons run: the one under
// SAFEDOCK_ENGINE_PREFIX when set, else the first on PATH.
func dockerdPath() (string, error) {
	if p := os.Getenv(EnginePrefixEnv); p != "" {
		bin := filepath.Join(p, "usr", "sbin", "dockerd")
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%s=%s: no dockerd there: %w", EnginePrefixEnv, p, err)
		}
		return bin, nil
	}
	bin, err := exec.LookPath("dockerd")
	if err != nil {
		return "", fmt.Errorf("dockerd not installed: %w", err)
	}
	return bin, nil
}

// engineEnv returns the environment a throwaway dockerd runs with.
func engineEnv() []string {
	env := os.Environ()
	p := os.Getenv(EnginePrefixEnv)
	if p == "" {
		return env
	}
	path := filepath.Join(p, "usr", "bin") + ":" + filepath.Join(p, "usr", "sbin") + ":" + os.Getenv("PATH")
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return append(out, "PATH="+path)
}

// StartDaemon starts a throwaway dockerd and waits until its API answers.
// It fails the test if dockerd refuses the config. Cleanup (registered on
// t) removes its containers, stops it by PID, kills what it left behind,
// unmounts and removes its directories.
func StartDaemon(t testing.TB, opts DaemonOptions) *Daemon {
	t.Helper()
	d, res, err := boot(t, opts)
	if err != nil {
		t.Fatalf("starting dockerd: %v", err)
	}
	if res.Refused {
		t.Fatalf("dockerd refused to start: %s\n%s", res.Error, tail(res.Log, 20))
	}
	return d
}

// BootConfig starts a throwaway dockerd with config and reports whether it
// refused to start (and why). A daemon that starts is stopped again at once.
func BootConfig(t testing.TB, config []byte, args ...string) BootResult {
	t.Helper()
	// A refusal is seen as soon as dockerd exits; the limit only bounds a
	// daemon that starts slowly. Corpus tests boot several at once on two
	// CPUs, beside other packages' daemons, so it is generous.
	d, res, err := boot(t, DaemonOptions{Config: config, Args: args, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatalf("booting dockerd: %v", err)
	}
	if d != nil {
		res.Log = d.LogText()
		d.Stop()
		d.cleanup()
	}
	return res
}

// DaemonArgs returns the arguments the helper passes to every dockerd
// besides the caller's, with placeholders for its directories, so a
// validator can be told the same command line.
func DaemonArgs() []string {
	return []string{"--data-root", "/tmp/sdd/r", "--exec-root", "/tmp/sdd/x", "--pidfile", "/tmp/sdd/p", "-H", "unix:///tmp/sdd/d.sock"}
}

func boot(t testing.TB, opts DaemonOptions) (*Daemon, BootResult, error) {
	t.Helper()
	requireDockerd(t)
	dir, err := os.MkdirTemp("/tmp", "sdd")
	if err != nil {
		return nil, BootResult{}, err
	}
	// userns-remap needs o+x on every directory above the data root.
	if err := os.Chmod(dir, 0o711); err != nil {
		return nil, BootResult{}, err
	}
	d := &Daemon{Dir: dir, Host: "unix://" + filepath.Join(dir, "d.sock"), t: t, opts: opts, logw: &lockedWriter{w: &bytes.Buffer{}}}
	t.Cleanup(d.cleanup)
	cfg := opts.Config
	if opts.ConfigFunc != nil {
		cfg = opts.ConfigFunc(d.Host)
	}
	if cfg == nil {
		cfg = []byte("{}")
	}
	d.cfgPath = filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(d.cfgPath, cfg, 0o644); err != nil {
		return nil, BootResult{}, err
	}
	refused, msg, err := d.start()
	if err != nil {
		return nil, BootResult{}, err
	}
	if refused {
		return nil, BootResult{Refused: true, Error: msg, Log: d.LogText()}, nil
	}
	return d, BootResult{}, nil
}

func (d *Daemon) args() []string {
	a := []string{"--config-file", d.cfgPath,
		"--data-root", filepath.Join(d.Dir, "r"), "--exec-root", filepath.Join(d.Dir, "x"),
		"--pidfile", filepath.Join(d.Dir, "p")}
	if d.opts.ConfigFunc == nil {
		a = append(a, "-H", d.Host)
	}
	return append(a, d.opts.Args...)
}

// start launches dockerd in a new network namespace with loopback up (in
// and waits for the API or for dockerd to exit.
func (d *Daemon) start() (refused bool, reason string, err error) {
	quoted := make([]string, 0, 8)
	for _, a := range d.args() {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	bin, err := dockerdPath()
	if err != nil {
		return false, "", err
	}
	script := "ip link set lo up && exec '" + bin + "' " + strings.Join(quoted, " ")
	cmd := exec.Command("unshare", "-n", "sh", "-c", script)
	cmd.Env = engineEnv()
	cmd.Stdout, cmd.Stderr = d.logw, d.logw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return false, "", fmt.Errorf("starting unshare dockerd: %w", err)
	}
	d.mu.Lock()
	d.cmd, d.PID, d.stopped, d.done = cmd, cmd.Process.Pid, false, make(chan struct{})
	d.mu.Unlock()
	done := d.done
	go func() { _ = cmd.Wait(); close(done) }()
	cli, err := client.New(client.WithHost(d.Host))
	if err != nil {
		d.Stop()
		return false, "", err
	}
	timeout := d.opts.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			cli.Close()
			return true, reason0(d.LogText()), nil
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, perr := cli.Ping(ctx, client.PingOptions{})
		cancel()
		if perr == nil {
			d.Client = cli
			return false, "", nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	cli.Close()
	d.Stop()
	return false, "", fmt.Errorf("dockerd did not answer within %s:\n%s", timeout, tail(d.LogText(), 20))
}

// LogText returns what dockerd has written to stdout and stderr so far.
func (d *Daemon) LogText() string {
	d.logw.mu.Lock()
	defer d.logw.mu.Unlock()
	return d.logw.w.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// reason0 picks dockerd's reason for exiting from its log.
func reason0(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if strings.Contains(l, "level=fatal") || strings.Contains(l, "unable to configure") || strings.Contains(l, "failed to start daemon") || strings.Contains(l, "Error starting daemon") {
			return l
		}
	}
	if len(lines) > 0 {
		return lines[len(lines)-1]
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Stop sends SIGTERM to dockerd (by PID) and waits for it to exit
// (SIGKILL after 20s). Containers keep running when live-restore is on.
func (d *Daemon) Stop() {
	d.mu.Lock()
	if d.cmd == nil || d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	pid, done := d.PID, d.done
	d.mu.Unlock()
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-done
	}
	if d.Client != nil {
		d.Client.Close()
		d.Client = nil
	}
}

// Restart stops dockerd and starts it again on the same directories and
// config, failing the test if it does not come back.
func (d *Daemon) Restart() {
	d.t.Helper()
	d.Stop()
	refused, reason, err := d.start()
	if err != nil || refused {
		d.t.Fatalf("restarting dockerd: %v %s\n%s", err, reason, tail(d.LogText(), 20))
	}
}

// DialContext dials addr from inside the daemon's network namespace, so a
// test can reach a TCP socket dockerd listens on at 127.0.0.1.
func (d *Daemon) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var conn net.Conn
	err := d.InNetNS(func() error {
		var dialer net.Dialer
		c, err := dialer.DialContext(ctx, network, addr)
		conn = c
		return err
	})
	return conn, err
}

// InNetNS runs fn on an OS thread that has joined the daemon's network
// namespace. Sockets fn creates stay in that namespace when used from any
// goroutine afterwards. The thread is discarded after fn.
func (d *Daemon) InNetNS(fn func() error) error { return inNetNS(d.PID, fn) }

// HTTPClient returns an http.Client whose connections are made inside the
// daemon's network namespace, with the given TLS transport settings.
func (d *Daemon) HTTPClient(base *http.Transport) *http.Client {
	tr := base.Clone()
	tr.DialContext = d.DialContext
	return &http.Client{Transport: tr}
}

func (d *Daemon) cleanup() {
	if d.Client != nil {
		ctx, cancel := cleanupCtx()
		list, err := d.Client.ContainerList(ctx, client.ContainerListOptions{All: true})
		if err == nil {
			for _, c := range list.Items {
				_, _ = d.Client.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
		cancel()
	}
	d.Stop()
	if d.Dir == "" {
		return
	}
	killLeftovers(d.Dir)
	unmountUnder(d.Dir)
	if err := os.RemoveAll(d.Dir); err != nil {
		time.Sleep(500 * time.Millisecond)
		unmountUnder(d.Dir)
		if err := os.RemoveAll(d.Dir); err != nil {
			d.t.Errorf("cleanup: removing %s: %v", d.Dir, err)
		}
	}
}

// killLeftovers kills processes (containerd, shims) whose command line
// names dir: the daemon's own children that outlived it.
func killLeftovers(dir string) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(dir+"/")) {
			continue
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	time.Sleep(100 * time.Millisecond)
}

// unmountUnder lazily unmounts every mount below dir, deepest first.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && (f[1] == dir || strings.HasPrefix(f[1], dir+"/")) {
			mounts = append(mounts, f[1])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		if err := unix.Unmount(mounts[i], unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			continue
		}
	}
}
