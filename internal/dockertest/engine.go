package dockertest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// ExecRoots returns the --exec-root of every dockerd running on this host
// ("/var/run/docker" for one that gives none), so tests that look for what
// dockerd wrote there (the OCI bundle it hands runc) find it for the system
// daemon, a long-lived second engine and throwaway daemons alike.
func ExecRoots() []string {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	seen := map[string]bool{}
	var roots []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
		if filepath.Base(args[0]) != "dockerd" {
			continue
		}
		root := "/var/run/docker"
		for i, a := range args {
			switch {
			case a == "--exec-root" && i+1 < len(args):
				root = args[i+1]
			case strings.HasPrefix(a, "--exec-root="):
				root = strings.TrimPrefix(a, "--exec-root=")
			}
		}
		if !seen[root] {
			seen[root] = true
			roots = append(roots, root)
		}
	}
	return roots
}

// DialPublished connects to addr ("127.0.0.1:32768"), a port published by
// the daemon behind DOCKER_HOST, from that daemon's network namespace: a
// second engine runs in a namespace of its own (scripts/modern-engine), and
// its published ports exist only there. The daemon is found by the peer
// credentials of its unix socket; for a daemon in this namespace, or one
// reached otherwise, it is a plain dial.
func DialPublished(ctx context.Context, addr string) (net.Conn, error) {
	var dialer net.Dialer
	pid, ok := daemonPID(ctx)
	if !ok || sameNetNS(pid) {
		return dialer.DialContext(ctx, "tcp", addr)
	}
	var conn net.Conn
	err := inNetNS(pid, func() error {
		c, err := dialer.DialContext(ctx, "tcp", addr)
		conn = c
		return err
	})
	return conn, err
}

// daemonPID returns the PID of the process serving DOCKER_HOST's unix
// socket (the default socket when unset).
func daemonPID(ctx context.Context) (int, bool) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return 0, false
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return 0, false
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0, false
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil || credErr != nil || cred == nil || cred.Pid <= 0 {
		return 0, false
	}
	return int(cred.Pid), true
}

func sameNetNS(pid int) bool {
	a, err1 := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid))
	b, err2 := os.Stat("/proc/self/ns/net")
	return err1 != nil || err2 != nil || os.SameFile(a, b)
}

// inNetNS runs fn on an OS thread that joined the network namespace of
// process pid; the thread is never unlocked, so it dies with its goroutine.
func inNetNS(pid int, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err != nil {
			errc <- fmt.Errorf("opening netns of dockerd %d: %w", pid, err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("joining netns of dockerd %d: %w", pid, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
