package daemonconf_test

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/safedock/safedock/daemonconf"
)

// TestLocalHostFactsFromRoot reads facts from a fake host root: users and
// groups from its /etc, binaries and files under it, plugins in Docker's
// plugin directories, systemd and its docker.socket unit.
func TestLocalHostFactsFromRoot(t *testing.T) {
	root := t.TempDir()
	write := func(p, body string, mode os.FileMode) { t.Helper(); writeUnder(t, root, p, body, mode) }
	write("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nremapper:x:1500:1500::/:/usr/sbin/nologin\n", 0o644)
	write("/etc/group", "root:x:0:\ndockerops:x:1600:\n", 0o644)
	write("/usr/bin/runsc", "#!/bin/sh\n", 0o755)
	write("/usr/bin/not-exec", "data", 0o644)
	write("/etc/docker/seccomp.json", "{}", 0o644)
	write("/etc/docker/plugins/opa.spec", "unix:///run/opa.sock", 0o644)
	write("/run/docker/plugins/authz-broker/authz-broker.sock", "", 0o644)
	write("/lib/systemd/system/docker.socket", "[Socket]\n", 0o644)
	if err := os.MkdirAll(filepath.Join(root, "run/systemd/system"), 0o755); err != nil {
		t.Fatal(err)
	}
	ver := daemonconf.Version{Major: 28}
	facts := func(data string, args []string) *daemonconf.HostFacts {
		t.Helper()
		h, err := daemonconf.LocalHostFacts(root, []byte(data), args)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	good := `{"userns-remap": "remapper", "authorization-plugins": ["opa"], "group": "dockerops", "seccomp-profile": "/etc/docker/seccomp.json", "runtimes": {"gvisor": {"path": "runsc"}}}`
	h := facts(good, []string{"-H", "fd://"})
	if !h.UserExists("remapper") || h.UserExists("dockremap") {
		t.Errorf("users: remapper %v, dockremap %v", h.UserExists("remapper"), h.UserExists("dockremap"))
	}
	if name, ok := h.LookupUID(1500); !ok || name != "remapper" {
		t.Errorf("uid 1500: %q %v", name, ok)
	}
	if !h.GroupExists("dockerops") || h.GroupExists("docker") {
		t.Error("groups read wrongly")
	}
	if _, err := h.LookPath("runsc"); err != nil {
		t.Errorf("runsc: %v", err)
	}
	// The files a daemon.json names are the ones gathered for it.
	probe := facts(`{"runtimes": {"x": {"path": "/usr/bin/not-exec"}, "y": {"path": "/usr/bin/runsc"}}, "seccomp-profile": "/etc/docker/missing.json"}`, nil)
	if _, err := probe.LookPath("/usr/bin/runsc"); err != nil {
		t.Errorf("/usr/bin/runsc: %v", err)
	}
	if _, err := probe.LookPath("/usr/bin/not-exec"); err == nil {
		t.Error("a non-executable file resolved as a binary")
	}
	if !h.PathExists("/etc/docker/seccomp.json") || probe.PathExists("/etc/docker/missing.json") {
		t.Error("files read wrongly")
	}
	slices.Sort(h.AuthzPlugins)
	if !slices.Equal(h.AuthzPlugins, []string{"authz-broker", "opa"}) {
		t.Errorf("plugins: %v", h.AuthzPlugins)
	}
	if h.Init != "systemd" || !h.SocketActivation() {
		t.Errorf("init %q, socket activation %v", h.Init, h.SocketActivation())
	}
	if !h.AddrAssignable(net.ParseIP("127.0.0.1")) || h.AddrAssignable(net.ParseIP("192.0.2.10")) {
		t.Error("addresses judged wrongly")
	}
	if !slices.Contains(h.StorageDrivers, "vfs") {
		t.Errorf("storage drivers: %v", h.StorageDrivers)
	}
	// Judged with these facts: the plugin and user exist, a missing one is refused.
	ok := daemonconf.Validate([]byte(good), daemonconf.Options{Version: ver, Host: h, DockerdArgs: []string{"-H", "fd://"}})
	if !ok.OK() || len(ok.Warnings()) > 0 && slices.ContainsFunc(ok.Warnings(), func(p daemonconf.Problem) bool { return p.HostDependent }) {
		t.Errorf("a file this host satisfies: %v", ok.Problems)
	}
	badFile := `{"userns-remap": "dockremap", "authorization-plugins": ["missing"], "group": "docker2", "seccomp-profile": "/etc/docker/nope.json"}`
	bad := daemonconf.Validate([]byte(badFile), daemonconf.Options{Version: ver, Host: facts(badFile, nil)})
	if n := len(bad.Errors()); n != 4 || !bad.Refused() {
		t.Errorf("want 4 refusals, got %v", bad.Errors())
	}
	// A host without systemd cannot serve -H fd://.
	if err := os.RemoveAll(filepath.Join(root, "run/systemd")); err != nil {
		t.Fatal(err)
	}
	h = facts(`{}`, []string{"-H", "fd://"})
	fd := daemonconf.Validate([]byte(`{}`), daemonconf.Options{Version: ver, Host: h, DockerdArgs: []string{"-H", "fd://"}})
	if !fd.Refused() {
		t.Errorf("-H fd:// without systemd: %v", fd.Problems)
	}
	if _, err := daemonconf.LocalHostFacts(filepath.Join(root, "etc/passwd"), []byte(`{}`), nil); err == nil {
		t.Error("a file as root: no error")
	}
}

// TestDataRootDrivers: the storage drivers are judged for the data root
// dockerd will use: the file's, else --data-root, else /var/lib/docker.
func TestDataRootDrivers(t *testing.T) {
	var asked []string
	h := &daemonconf.HostFacts{DataRootDrivers: func(root string) []string {
		asked = append(asked, root)
		if root == "/srv/btrfs/docker" {
			return []string{"btrfs", "overlay2", "vfs"}
		}
		return []string{"overlay2", "vfs"}
	}}
	ver := daemonconf.Version{Major: 28}
	for _, c := range []struct {
		file    string
		args    []string
		root    string
		refused bool
	}{
		{`{"storage-driver": "btrfs", "data-root": "/srv/btrfs/docker"}`, nil, "/srv/btrfs/docker", false},
		{`{"storage-driver": "btrfs"}`, []string{"--data-root", "/srv/btrfs/docker"}, "/srv/btrfs/docker", false},
		{`{"storage-driver": "btrfs"}`, nil, "/var/lib/docker", true},
	} {
		asked = nil
		res := daemonconf.Validate([]byte(c.file), daemonconf.Options{Version: ver, Host: h, DockerdArgs: c.args})
		if len(asked) != 1 || asked[0] != c.root || res.Refused() != c.refused {
			t.Errorf("%s %v: asked %v, refused %v; want %s, %v", c.file, c.args, asked, res.Refused(), c.root, c.refused)
		}
	}
}

// writeUnder writes body to root/p with mode, making the directories.
func writeUnder(t *testing.T, root, p, body string, mode os.FileMode) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}
