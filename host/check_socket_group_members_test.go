package host_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestSocketGroupMembers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the socket")
	}
	root := t.TempDir()
	write(t, root, "etc/passwd", "root:x:0:0::/root:/bin/sh\ncarol:x:1002:4242::/:/bin/sh\n")
	write(t, root, "etc/group", "root:x:0:\ndocker:x:4242:alice,bob\nempty:x:4343:\n")
	os.MkdirAll(filepath.Join(root, "run"), 0o755)
	l, err := net.Listen("unix", filepath.Join(root, "run/docker.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sock := filepath.Join(root, "run/docker.sock")
	os.Chmod(sock, 0o660)
	os.Chown(sock, 0, 4242)
	in := host.Inputs{Root: root, Socket: "/run/docker.sock", MountInfo: []byte(mountRoot)}
	rep, _ := host.Check(in)
	f := find(t, rep, host.HostSocketGroupMembers)
	if f.Status != rule.StatusWarn || !strings.Contains(f.Reason, "alice, bob, carol") {
		t.Errorf("members: %s %q, want a warning naming alice, bob, carol (carol by primary group)", f.Status, f.Reason)
	}
	in.TrustedUsers = []string{"alice", "bob"}
	rep, _ = host.Check(in)
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusFail || !strings.Contains(f.Reason, "carol") {
		t.Errorf("untrusted: %s %q", f.Status, f.Reason)
	}
	os.Chown(sock, 0, 4343)
	rep, _ = host.Check(host.Inputs{Root: root, Socket: "/run/docker.sock"})
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusPass {
		t.Errorf("empty group: %s %q", f.Status, f.Reason)
	}
	rep, _ = host.Check(host.Inputs{Root: root, Socket: "/run/nope.sock"})
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusSkip {
		t.Errorf("missing socket: %s %q", f.Status, f.Reason)
	}
}
