package safedock

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

// rootlessInfo is the /info of alice's rootless dockerd.
func rootlessInfo() system.Info {
	return system.Info{ID: "ROOT:LESS", Name: "vm", ServerVersion: "20.10.24", Driver: "overlay2",
		SecurityOptions: []string{"name=seccomp,profile=default", "name=rootless"},
		DockerRootDir:   "/home/alice/.local/share/docker"}
}

func TestIsRootless(t *testing.T) {
	info := rootlessInfo()
	assert.True(t, IsRootless(&info))
	assert.False(t, IsRootless(&system.Info{SecurityOptions: []string{"name=seccomp,profile=default", "name=cgroupns"}}))
	assert.False(t, IsRootless(nil), "a daemon that did not answer is not known rootless")
}

func TestFindRootlessPaths(t *testing.T) {
	acc := &hostfs.Accounts{}
	acc.ParsePasswd([]byte("root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/srv/bob:/bin/sh\n"))
	info := rootlessInfo()
	want := RootlessPaths{User: "alice", UID: 1000, Home: "/home/alice", ConfigFile: "/home/alice/.config/docker/daemon.json",
		Socket: "/run/user/1000/docker.sock", ExecRoot: "/run/user/1000/docker", DataRoot: "/home/alice/.local/share/docker"}

	got, err := FindRootlessPaths(&info, "/run/user/1000/docker.sock", acc)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the socket's UID names the user; passwd gives the home")

	// Without a socket (a fixture root) and without accounts: the default
	// data root gives the home; the UID is unknown.
	got, err = FindRootlessPaths(&info, "", nil)
	require.NoError(t, err)
	assert.Equal(t, RootlessPaths{Home: "/home/alice", ConfigFile: want.ConfigFile, DataRoot: want.DataRoot}, got)

	// A data root moved by daemon.json: the home is the socket user's.
	moved := info
	moved.DockerRootDir = "/data/bob-docker"
	got, err = FindRootlessPaths(&moved, "/run/user/1001/docker.sock", acc)
	require.NoError(t, err)
	assert.Equal(t, "/srv/bob/.config/docker/daemon.json", got.ConfigFile)
	assert.Equal(t, "/data/bob-docker", got.DataRoot)
	assert.Equal(t, "bob", got.User)

	// Neither says whose: an error, not the root's paths.
	_, err = FindRootlessPaths(&moved, "/tmp/d.sock", acc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "says whose it is")
}

// infoClient answers /info and nothing else: enough for the host-side
// sections.
type infoClient struct {
	Client
	info system.Info
	host string
}

func (c infoClient) DaemonHost() string { return c.host }
func (c infoClient) Info(context.Context, client.InfoOptions) (client.SystemInfoResult, error) {
	return client.SystemInfoResult{Info: c.info}, nil
}

// On a rootless dockerd (SecurityOptions name=rootless) the whole-host
// audit judges the user's ~/.config/docker/daemon.json, socket and data
// root, not /etc/docker/daemon.json and /var/lib/docker.
func TestAuditRootlessPaths(t *testing.T) {
	files := map[string]string{
		// The system daemon.json would fail icc: it is not the one judged.
		"etc/docker/daemon.json":                `{"icc": true}`,
		"home/alice/.config/docker/daemon.json": `{"icc": false, "no-new-privileges": true}`,
		"home/alice/.local/share/docker/.keep":  "",
		"etc/passwd":                            "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
		"etc/group":                             "root:x:0:\nalice:x:1000:\n",
		"run/user/1000/docker/containerd/.keep": "",
	}
	root := writeTree(t, files)
	local := false
	cli := infoClient{info: rootlessInfo(), host: "unix:///run/user/1000/docker.sock"}
	rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Client: cli, Only: []Section{SectionDaemon, SectionFiles}})

	byRule := map[rule.ID][]rule.Finding{}
	targets := map[string]bool{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
		targets[f.Target] = true
	}
	require.NotEmpty(t, byRule["daemon.icc"], "%v", rep.Sections)
	icc := byRule["daemon.icc"][0]
	assert.Equal(t, "file:/home/alice/.config/docker/daemon.json", icc.Target)
	assert.Equal(t, rule.StatusPass, icc.Status, "the user's daemon.json is the one judged: %+v", icc)
	for target := range targets {
		assert.NotContains(t, target, "/etc/docker/daemon.json")
		assert.NotContains(t, target, "/var/lib/docker")
		assert.NotContains(t, target, "/var/run/docker.sock")
	}
	assert.True(t, targets["file:/home/alice/.config/docker/daemon.json"], "the files section checks the user's daemon.json: %v", targets)
	assert.True(t, targets["file:/home/alice/.local/share/docker"], "and the data root: %v", targets)
	assert.True(t, targets["file:/run/user/1000/docker.sock"], "and the socket: %v", targets)

}

// The user's daemon.json is read through the root: a symlink in the
// user's home that leads out of --root resolves inside it.
func TestRootlessDaemonJSONStaysInsideRoot(t *testing.T) {
	outside := writeTree(t, map[string]string{"daemon.json": `{"icc": false}`})
	root := writeTree(t, map[string]string{
		"etc/passwd":         "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
		"inside/daemon.json": `{"icc": true}`,
	})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "home/alice/.config/docker"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(outside, "daemon.json"), filepath.Join(root, "home/alice/.config/docker/daemon.json")))
	info := rootlessInfo()
	in, err := gatherHost(root, "", &info)
	require.NoError(t, err)
	assert.Equal(t, "/home/alice/.config/docker/daemon.json", in.Facts.Daemon.ConfigFile)
	assert.NotContains(t, string(in.Facts.DaemonJSON), `"icc": false`, "never the file outside the root")
	require.NotNil(t, in.Rootless)
	assert.Equal(t, "/home/alice/.local/share/docker", in.Facts.Daemon.DataRoot())
	assert.True(t, strings.HasPrefix(in.Facts.Daemon.Settings.Source["data-root"], "rootless dockerd default"))
}

// On a rootless dockerd the files section expects the daemon's own files
// (~/.config/docker/daemon.json, $XDG_RUNTIME_DIR/docker.sock,
// ~/.local/share/docker) to be the user's: a correct setup passes, a
// root-owned or another user's file fails.
func TestAuditRootlessFilesAreTheUsers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the fixture's files")
	}
	root := writeTree(t, map[string]string{
		"home/alice/.config/docker/daemon.json": `{}`,
		"etc/passwd":                            "root:x:0:0::/root:/bin/sh\nalice:x:1000:1001::/home/alice:/bin/sh\nbob:x:2000:2000::/home/bob:/bin/sh\n",
		"etc/group":                             "root:x:0:\nalice:x:1001:\nbob:x:2000:\n",
	})
	cfg := filepath.Join(root, "home/alice/.config/docker/daemon.json")
	data := filepath.Join(root, "home/alice/.local/share/docker")
	require.NoError(t, os.MkdirAll(data, 0o710))
	require.NoError(t, os.Chmod(data, 0o710))
	sock := filepath.Join(root, "run/user/1000/docker.sock")
	require.NoError(t, os.MkdirAll(filepath.Dir(sock), 0o700))
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, os.Chmod(sock, 0o660))
	chown := func(uid, gid int) {
		for _, p := range []string{cfg, data, sock} {
			require.NoError(t, os.Lchown(p, uid, gid))
		}
	}
	local := false
	cli := infoClient{info: rootlessInfo(), host: "unix:///run/user/1000/docker.sock"}
	owners := func() map[string]rule.Finding {
		rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Client: cli, Only: []Section{SectionFiles}})
		out := map[string]rule.Finding{}
		for _, f := range rep.Findings {
			if strings.HasSuffix(string(f.Rule), ".owner") {
				out[f.Target] = f
			}
		}
		return out
	}
	targets := []string{"file:/home/alice/.config/docker/daemon.json", "file:/run/user/1000/docker.sock", "file:/home/alice/.local/share/docker"}
	for name, c := range map[string]struct {
		uid, gid int
		want     rule.Status
	}{"alice's": {1000, 1001, rule.StatusPass}, "root's": {0, 0, rule.StatusFail}, "bob's": {2000, 2000, rule.StatusFail}, "alice with bob's group": {1000, 2000, rule.StatusFail}} {
		t.Run(name, func(t *testing.T) {
			chown(c.uid, c.gid)
			got := owners()
			for _, target := range targets {
				f, ok := got[target]
				require.True(t, ok, "no owner finding for %s in %v", target, got)
				assert.Equal(t, c.want, f.Status, "%s: %s; %s", target, f.Reason, f.Detail)
			}
		})
	}
}

func TestParseSubIDs(t *testing.T) {
	data := []byte("rl6:100000:65536\nalice:231072:65536\n1000:400000:10\nbob:500000:65536\nbad line\nalice:x:1\n")
	assert.Equal(t, []perms.IDRange{{Start: 231072, Count: 65536}, {Start: 400000, Count: 10}}, parseSubIDs(data, "alice", 1000))
	assert.Equal(t, []perms.IDRange{{Start: 400000, Count: 10}}, parseSubIDs(data, "", 1000))
	assert.Empty(t, parseSubIDs(data, "carol", 3000))
}
