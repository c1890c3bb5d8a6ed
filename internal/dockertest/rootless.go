package dockertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// RootlessUserEnv names the unprivileged user a rootless throwaway dockerd
// runs as (default "safedock-rootless"). StartRootless creates the user,
// with /etc/subuid and /etc/subgid ranges, when it does not exist.
const RootlessUserEnv = "SAFEDOCK_ROOTLESS_USER"

// RootlessDaemon is a throwaway rootless dockerd (dockerd-rootless.sh:
// rootlesskit, slirp4netns, a user namespace from newuidmap) run as an
// unprivileged user whose HOME and XDG_RUNTIME_DIR are fresh directories.
type RootlessDaemon struct {
	// Home is the user's HOME: ConfigFile is Home/.config/docker/daemon.json,
	// the data root Home/.local/share/docker.
	Home, ConfigFile string
	// RuntimeDir is XDG_RUNTIME_DIR; the socket is RuntimeDir/docker.sock.
	RuntimeDir, Socket string
	// Host is "unix://" + Socket.
	Host   string
	Client *client.Client
	User   *user.User
	PID    int // the process group leader (runuser)
	logw   *lockedWriter
	done   chan struct{}
}

// LogText returns what the rootless daemon has written so far.
func (d *RootlessDaemon) LogText() string {
	d.logw.mu.Lock()
	defer d.logw.mu.Unlock()
	return d.logw.w.String()
}

// rootlessScript finds dockerd-rootless.sh: the one of the engine under
// SAFEDOCK_ENGINE_PREFIX when set, else on PATH, else where Debian's
// docker.io puts it.
func rootlessScript() (string, error) {
	if pre := os.Getenv(EnginePrefixEnv); pre != "" {
		p := filepath.Join(pre, "usr/share/docker.io/contrib/dockerd-rootless.sh")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: no dockerd-rootless.sh there: %w", EnginePrefixEnv, pre, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("dockerd-rootless.sh"); err == nil {
		return p, nil
	}
	p := "/usr/share/docker.io/contrib/dockerd-rootless.sh"
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("dockerd-rootless.sh not found on PATH nor at %s", p)
	}
	return p, nil
}

// rootlessUser returns the user to run the daemon as, creating it (and its
// subordinate ID ranges) when it does not exist.
func rootlessUser() (*user.User, error) {
	name := os.Getenv(RootlessUserEnv)
	if name == "" {
		name = "safedock-rootless"
	}
	u, err := user.Lookup(name)
	if err != nil {
		if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("creating user %s: %v: %s", name, err, out)
		}
		if u, err = user.Lookup(name); err != nil {
			return nil, err
		}
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		b, _ := os.ReadFile(f)
		if hasSubIDs(b, u) {
			continue
		}
		flag := "--add-subuids"
		if strings.HasSuffix(f, "subgid") {
			flag = "--add-subgids"
		}
		if out, err := exec.Command("usermod", flag, "400000-465535", u.Username).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("giving %s a %s range: %v: %s", u.Username, f, err, out)
		}
	}
	return u, nil
}

func hasSubIDs(b []byte, u *user.User) bool {
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) == 3 && (f[0] == u.Username || f[0] == u.Uid) {
			return true
		}
	}
	return false
}

func requireRootless(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "a throwaway rootless dockerd is set up as root")
	}
	for _, bin := range []string{"rootlesskit", "slirp4netns", "newuidmap", "newgidmap", "runuser", "dockerd"} {
		if _, err := exec.LookPath(bin); err != nil {
			Unavailable(t, "rootless dockerd: %s not installed (apt-get install rootlesskit slirp4netns uidmap): %v", bin, err)
		}
	}
	script, err := rootlessScript()
	if err != nil {
		Unavailable(t, "rootless dockerd: %v", err)
	}
	// slirp4netns opens /dev/net/tun as the user.
	if st, err := os.Stat("/dev/net/tun"); err != nil || st.Mode().Perm()&0o006 != 0o006 {
		Unavailable(t, "rootless dockerd: /dev/net/tun is not open to unprivileged users (chmod 0666 /dev/net/tun, its usual mode): %v", err)
	}
	return script
}

// StartRootless starts a rootless dockerd with daemon.json config (nil:
// none) in the user's ~/.config/docker and waits for its API. Cleanup
// stops it by its process group and removes its directories.
func StartRootless(t testing.TB, config []byte) *RootlessDaemon {
	t.Helper()
	script := requireRootless(t)
	u, err := rootlessUser()
	if err != nil {
		Unavailable(t, "rootless dockerd: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dir, err := os.MkdirTemp("/tmp", "sdr")
	if err != nil {
		t.Fatal(err)
	}
	d := &RootlessDaemon{Home: filepath.Join(dir, "home"), RuntimeDir: filepath.Join(dir, "run"), User: u, logw: &lockedWriter{w: &bytes.Buffer{}}}
	d.ConfigFile = filepath.Join(d.Home, ".config", "docker", "daemon.json")
	d.Socket = filepath.Join(d.RuntimeDir, "docker.sock")
	d.Host = "unix://" + d.Socket
	t.Cleanup(func() { d.stop(t, dir) })
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{d.Home, filepath.Dir(d.ConfigFile), d.RuntimeDir} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if config != nil {
		if err := os.WriteFile(d.ConfigFile, config, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_ = filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			err = os.Lchown(p, uid, gid)
		}
		return err
	})
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if pre := os.Getenv(EnginePrefixEnv); pre != "" {
		// That engine's dockerd, containerd, shim and docker-init first.
		path = filepath.Join(pre, "usr/bin") + ":" + filepath.Join(pre, "usr/sbin") + ":" + path
	}
	cmd := exec.Command("runuser", "-u", u.Username, "--", "env", "-i",
		"HOME="+d.Home, "XDG_RUNTIME_DIR="+d.RuntimeDir, "PATH="+path, script)
	cmd.Dir = d.Home
	cmd.Stdout, cmd.Stderr = d.logw, d.logw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting dockerd-rootless.sh: %v", err)
	}
	d.PID, d.done = cmd.Process.Pid, make(chan struct{})
	go func() { _ = cmd.Wait(); close(d.done) }()
	cli, err := client.New(client.WithHost(d.Host))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.done:
			cli.Close()
			t.Fatalf("rootless dockerd exited:\n%s", tail(d.LogText(), 20))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, perr := cli.Ping(ctx, client.PingOptions{})
		cancel()
		if perr == nil {
			d.Client = cli
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
	cli.Close()
	t.Fatalf("rootless dockerd did not answer within 90s:\n%s", tail(d.LogText(), 20))
	return nil
}

func (d *RootlessDaemon) stop(t testing.TB, dir string) {
	if d.Client != nil {
		ctx, cancel := cleanupCtx()
		if list, err := d.Client.ContainerList(ctx, client.ContainerListOptions{All: true}); err == nil {
			for _, c := range list.Items {
				_, _ = d.Client.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
		cancel()
		d.Client.Close()
	}
	if d.done != nil {
		// The process group: runuser, rootlesskit, dockerd, containerd.
		_ = syscall.Kill(-d.PID, syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-d.PID, syscall.SIGKILL)
			<-d.done
		}
	}
	killLeftovers(dir)
	unmountUnder(dir)
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cleanup: removing %s: %v", dir, err)
	}
}
