package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseDockerdArgs(t *testing.T) {
	s := ParseDockerdArgs([]string{"-H", "fd://", "-Hunix:///a.sock", "--host=tcp://0.0.0.0:2376",
		"--containerd=/run/containerd/containerd.sock", "--tlsverify", "--tls=false", "--tlscacert", "/ca",
		"--unknown", "x", "-g", "/old", "--data-root", "/new", "--config-file=/etc/d.json", "--", "--tlskey", "/k"})
	if !slices.Equal(s.Hosts, []string{"fd://", "unix:///a.sock", "tcp://0.0.0.0:2376"}) {
		t.Errorf("hosts %q", s.Hosts)
	}
	if s.Containerd != "/run/containerd/containerd.sock" || s.TLSCACert != "/ca" || s.DataRoot != "/new" || s.ConfigFile != "/etc/d.json" {
		t.Errorf("settings %+v", s)
	}
	if s.TLSVerify == nil || !*s.TLSVerify || s.TLS == nil || *s.TLS || !s.TLSEnabled() {
		t.Errorf("tls flags %+v", s)
	}
	if s.TLSKey != "" {
		t.Error("parsed a flag after --")
	}
	paths, fd := s.UnixSockets()
	if !fd || !slices.Equal(paths, []string{"/a.sock"}) {
		t.Errorf("sockets %q fd=%v", paths, fd)
	}
}

func TestParseDaemonJSON(t *testing.T) {
	s, err := ParseDaemonJSON([]byte(`{"tlscacert":"/ca","tlsverify":true,"hosts":["unix:///x"],"data-root":"/d","userns-remap":"default","tlskey":3}`))
	if err == nil {
		t.Error("want an error for tlskey's type")
	}
	if s.TLSCACert != "/ca" || s.DataRoot != "/d" || s.UsernsRemap != "default" || !s.TLSEnabled() || s.TLSKey != "" {
		t.Errorf("settings %+v", s)
	}
	for _, bad := range []string{"", "[]", "null", "{", `"x"`} {
		if _, err := ParseDaemonJSON([]byte(bad)); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	merged := Merge(s, ParseDockerdArgs([]string{"--data-root", "/flag"}))
	if merged.DataRoot != "/flag" || merged.Source["data-root"] != "dockerd --data-root" || merged.TLSCACert != "/ca" {
		t.Errorf("merge %+v", merged)
	}
}

func TestAccounts(t *testing.T) {
	var a Accounts
	a.ParsePasswd([]byte("root:x:0:0::/root:/bin/sh\nalice:x:1000:4242::/:/bin/sh\nbad line\n#c\nbob:x:nope:1:::\n"))
	a.ParseGroup([]byte("root:x:0:\ndocker:x:4242:carol, dave ,carol\nbroken\n"))
	if uid, ok := a.UID("alice"); !ok || uid != 1000 {
		t.Error("alice")
	}
	if _, ok := a.UID("bob"); ok {
		t.Error("bob has a malformed uid and must be skipped")
	}
	if got := a.GroupMembers(4242); !slices.Equal(got, []string{"alice", "carol", "dave"}) {
		t.Errorf("members %q", got)
	}
	if a.GroupName(7) != "7" || a.UserName(0) != "root" {
		t.Error("names")
	}
}

func TestRootConfinement(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "f"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.Symlink(filepath.Join(outside, "f"), filepath.Join(root, "etc", "abs"))
	os.Symlink("../../../../../../../../"+filepath.Join(outside, "f"), filepath.Join(root, "etc", "rel"))
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, p := range []string{"/etc/abs", "/etc/rel", "../../../../" + outside + "/f"} {
		if data, err := r.ReadFile(p, 100); err == nil {
			t.Errorf("%s read %q from outside the root", p, data)
		}
	}
	st, err := r.Lstat("/etc/abs")
	if err != nil || st.Link == "" {
		t.Errorf("lstat of a symlink: %+v %v", st, err)
	}
}

func TestParseListenStreams(t *testing.T) {
	got := ParseListenStreams([]byte("[Socket]\nListenStream=/old.sock\nListenStream=\nListenStream = /run/docker.sock\nListenStream=2375\n"))
	if !slices.Equal(got, []string{"/run/docker.sock"}) {
		t.Errorf("%q", got)
	}
}

func FuzzParseDaemonJSON(f *testing.F) {
	f.Add([]byte(`{"tlscacert":"/ca","hosts":["fd://"],"tlsverify":true}`))
	f.Add([]byte(`{"hosts":"x","tls":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, _ := ParseDaemonJSON(data)
		_, _ = s.UnixSockets()
	})
}

func FuzzParseDockerdArgs(f *testing.F) {
	f.Add("-H\x00fd://\x00--tlsverify=maybe\x00--data-root")
	f.Add("-\x00--\x00-H")
	f.Fuzz(func(t *testing.T, joined string) {
		s := ParseDockerdArgs(SplitCmdline([]byte(joined)))
		_, _ = s.UnixSockets()
		_ = Merge(s, s)
	})
}

// TestRootReadFileRefusesSpecialFiles: a FIFO (no writer), a device node and
// a directory under the root are refused at once, also through a symlink.
func TestRootReadFileRefusesSpecialFiles(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/docker"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(root, "etc/docker/daemon.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("daemon.json", filepath.Join(root, "etc/docker/link.json")); err != nil {
		t.Fatal(err)
	}
	names := []string{"/etc/docker/daemon.json", "/etc/docker/link.json", "/etc"}
	if os.Geteuid() == 0 {
		// /dev/zero's device number, as a node inside the root.
		if err := syscall.Mknod(filepath.Join(root, "etc/docker/zero"), syscall.S_IFCHR|0o644, int(unix.Mkdev(1, 5))); err == nil {
			names = append(names, "/etc/docker/zero")
		}
	}
	r, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, p := range names {
		within(t, 5*time.Second, func() {
			if _, err := r.ReadFile(p, 1<<20); !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s: %v, want ErrNotRegular", p, err)
			}
		})
	}
}
