package perms_test

import (
	"testing"

	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

// A rootless dockerd's own files (its daemon.json, socket and data root)
// belong to the user it runs as: owned so they pass, root-owned or another
// user's they fail; without Rootless the same files are expected root:root.
func TestRootlessDaemonFilesAreTheUsers(t *testing.T) {
	tr := newTree(t)
	tr.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:2000:2000::/home/bob:/bin/sh\n", 0o644)
	tr.write("etc/group", "root:x:0:\nalice:x:1000:\nbob:x:2000:\ndocker:x:4242:alice\n", 0o644)
	const (
		cfgFile  = "/home/alice/.config/docker/daemon.json"
		sock     = "/run/user/1000/docker.sock"
		dataRoot = "/home/alice/.local/share/docker"
	)
	tr.write(cfgFile[1:], "{}", 0o644)
	tr.chown(cfgFile[1:], 1000, 1000)
	tr.socket(sock[1:])
	tr.chmod(sock[1:], 0o660)
	tr.chown(sock[1:], 1000, 1000)
	tr.mkdir(dataRoot[1:], 0o710)
	tr.chown(dataRoot[1:], 1000, 1000)
	alice := &perms.Owner{User: "alice", UID: 1000, GID: 1000}
	cfg := perms.Config{Root: tr.root, DaemonJSON: cfgFile, Sockets: []string{sock}, DataRoot: dataRoot, Rootless: alice}
	run := func(cfg perms.Config) rule.Report {
		t.Helper()
		rep, err := perms.Check(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	owners := map[rule.ID]string{
		perms.DaemonJSON.OwnerRule(): "file:" + cfgFile,
		perms.DockerSock.OwnerRule(): "file:" + sock,
		perms.DataRoot.OwnerRule():   "file:" + dataRoot,
	}
	expect := func(rep rule.Report, want rule.Status, why string) {
		t.Helper()
		for id, target := range owners {
			f, ok := status(rep, id, target)
			if !ok {
				t.Fatalf("%s: no finding for %s", id, target)
			}
			if f.Status != want {
				t.Errorf("%s %s (%s): %s %s; %s", why, id, target, f.Status, f.Reason, f.Detail)
			}
		}
	}
	rep := run(cfg)
	expect(rep, rule.StatusPass, "a correct rootless setup:")
	for _, c := range []perms.FileClass{perms.DaemonJSON, perms.DockerSock, perms.DataRoot} {
		if f, _ := status(rep, c.ModeRule(), owners[c.OwnerRule()]); f.Status != rule.StatusPass {
			t.Errorf("%s: %s %s", c.ModeRule(), f.Status, f.Reason)
		}
	}
	// The system's own files stay root:root.
	if f, _ := status(rep, perms.EtcDocker.OwnerRule(), "file:/etc/docker"); f.Status != rule.StatusPass {
		t.Errorf("/etc/docker: %s %s", f.Status, f.Reason)
	}

	// Root-owned: wrong for a rootless daemon's files.
	tr.chown(cfgFile[1:], 0, 0)
	tr.chown(sock[1:], 0, 0)
	tr.chown(dataRoot[1:], 0, 0)
	expect(run(cfg), rule.StatusFail, "root-owned:")
	// Another user's.
	tr.chown(cfgFile[1:], 2000, 2000)
	tr.chown(sock[1:], 2000, 2000)
	tr.chown(dataRoot[1:], 2000, 2000)
	expect(run(cfg), rule.StatusFail, "bob's:")

	// The socket's group mapped from inside the daemon's user namespace: a
	// gid of the user's /etc/subgid range passes, one outside fails.
	tr.chown(sock[1:], 1000, 231176)
	withSub := cfg
	withSub.Rootless = &perms.Owner{User: "alice", UID: 1000, GID: 1000, SubGIDs: []perms.IDRange{{Start: 231072, Count: 65536}}}
	if f, _ := status(run(withSub), perms.DockerSock.OwnerRule(), "file:"+sock); f.Status != rule.StatusPass {
		t.Errorf("socket with a subordinate gid: %s %s; %s", f.Status, f.Reason, f.Detail)
	}
	if f, _ := status(run(cfg), perms.DockerSock.OwnerRule(), "file:"+sock); f.Status != rule.StatusFail {
		t.Errorf("socket with a gid outside the user's ranges: %s %s", f.Status, f.Reason)
	}

	// Not rootless: the user's files are expected root:root.
	tr.chown(cfgFile[1:], 1000, 1000)
	tr.chown(sock[1:], 1000, 1000)
	tr.chown(dataRoot[1:], 1000, 1000)
	cfg.Rootless = nil
	expect(run(cfg), rule.StatusFail, "rootful, user-owned:")
}
