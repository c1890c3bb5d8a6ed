package perms_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

type fileState struct {
	perm     uint32
	uid, gid uint32
	ino      uint64
}

func lstate(t *testing.T, p string) fileState {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return fileState{perm: st.Mode & 0o7777, uid: st.Uid, gid: st.Gid, ino: st.Ino}
}

func TestFixDryRunThenApplyIsIdempotentAndNeverLoosens(t *testing.T) {
	tr := newTree(t)
	tr.chmod("etc/docker/daemon.json", 0o470)
	tr.chmod("usr/lib/systemd/system/docker.service", 0o4775)
	tr.chown("etc/docker/tls/server-key.pem", 1000, 1000) // mode 0400 must stay 0400
	tr.chmod("etc/docker/tls/server-key.pem", 0o400)
	tr.chmod("run/docker.sock", 0o666)
	tr.chown("run/containerd/containerd.sock", 0, dockerGID)
	tr.chmod("etc/docker", 0o777)
	cfg := perms.Config{Root: tr.root}

	before := lstate(t, tr.path("etc/docker/daemon.json"))
	dry, err := perms.Fix(cfg, perms.FixOptions{})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if dry.Applied || len(dry.Changes) != 6 {
		t.Fatalf("dry run planned %d changes (applied=%v), want 6: %v", len(dry.Changes), dry.Applied, dry.Changes)
	}
	for _, c := range dry.Changes {
		if c.Applied {
			t.Errorf("dry run applied %s", c)
		}
		if c.ToPerm&^c.FromPerm != 0 {
			t.Errorf("plan adds permission bits: %s", c)
		}
	}
	if got := lstate(t, tr.path("etc/docker/daemon.json")); got != before {
		t.Fatalf("dry run changed daemon.json: %+v -> %+v", before, got)
	}

	res, err := perms.Fix(cfg, perms.FixOptions{Apply: true})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	for _, c := range res.Changes {
		if !c.Applied {
			t.Errorf("not applied: %s (%s)", c, c.Err)
		}
		t.Logf("applied: %s", c)
	}
	want := map[string]fileState{
		"etc/docker/daemon.json":                {perm: 0o440, uid: 0, gid: 0},
		"usr/lib/systemd/system/docker.service": {perm: 0o644, uid: 0, gid: 0},
		"etc/docker/tls/server-key.pem":         {perm: 0o400, uid: 0, gid: 0},
		"run/docker.sock":                       {perm: 0o660, uid: 0, gid: dockerGID},
		"run/containerd/containerd.sock":        {perm: 0o660, uid: 0, gid: 0},
		"etc/docker":                            {perm: 0o755, uid: 0, gid: 0},
	}
	for p, w := range want {
		got := lstate(t, tr.path(p))
		got.ino = 0
		if got != w {
			t.Errorf("%s after fix: %04o %d:%d, want %04o %d:%d", p, got.perm, got.uid, got.gid, w.perm, w.uid, w.gid)
		}
	}
	if rep := check(t, tr.root); rep.Summary.Fail != 0 {
		t.Errorf("after fix, check still fails: %+v", rep.Findings)
	}
	again, err := perms.Fix(cfg, perms.FixOptions{Apply: true})
	if err != nil || len(again.Changes) != 0 {
		t.Fatalf("second fix: %d changes, err %v; want none", len(again.Changes), err)
	}
}

// hostile builds a tree whose configuration points outside it in every way
// it can, and files outside it that Fix must not touch.
func TestFixHostileTreeChangesNothingOutside(t *testing.T) {
	tr := newTree(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(secret, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(secret, 0o666); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(outside, "dir")
	if err := os.Mkdir(outDir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(outDir, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ca.pem", "server-cert.pem", "server-key.pem", "cert.crt"} {
		p := filepath.Join(outDir, n)
		if err := os.WriteFile(p, []byte(n), 0o666); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Chmod(p, 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, 1000, 1000); err != nil {
			t.Fatal(err)
		}
	}
	outsideFiles := []string{secret, outDir, filepath.Join(outDir, "ca.pem"), filepath.Join(outDir, "server-cert.pem"), filepath.Join(outDir, "server-key.pem"), filepath.Join(outDir, "cert.crt")}
	before := map[string]fileState{}
	for _, p := range outsideFiles {
		before[p] = lstate(t, p)
	}

	// 1. A symlink where daemon.json belongs, pointing at a file outside.
	//    A second, relative one at /etc/default/docker climbing out with "..".
	os.Remove(tr.path("etc/docker/daemon.json"))
	if err := os.Symlink(secret, tr.path("etc/docker/daemon.json")); err != nil {
		t.Fatal(err)
	}
	os.Remove(tr.path("etc/default/docker"))
	rel, err := filepath.Rel(tr.path("etc/default"), secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, tr.path("etc/default/docker")); err != nil {
		t.Fatal(err)
	}
	// 2. A symlinked directory: certs.d points outside (absolute) and the TLS
	//    directory points outside (relative, through "..").
	os.RemoveAll(tr.path("etc/docker/certs.d"))
	if err := os.Symlink(outDir, tr.path("etc/docker/certs.d")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(tr.path("etc/docker/tls"))
	relDir, err := filepath.Rel(tr.path("etc/docker"), outDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(relDir, tr.path("etc/docker/tls")); err != nil {
		t.Fatal(err)
	}
	// 3. ".." in configured paths (through dockerd flags, since daemon.json
	//    is now a symlink): they climb far above the root.
	climb := strings.Repeat("../", 20) + strings.TrimPrefix(outDir, "/")
	cfg := perms.Config{
		Root: tr.root,
		DockerdArgs: []string{
			"--tlsverify",
			"--tlscacert", "/etc/docker/tls/ca.pem",
			"--tlscert=" + "/etc/docker/" + climb + "/server-cert.pem",
			"--tlskey", climb + "/server-key.pem",
			"--data-root", "/srv/../../../../" + climb,
		},
	}

	rep, err := perms.Check(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := status(rep, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json")
	if f.Status != rule.StatusFail || !strings.Contains(f.Reason, "symlink") {
		t.Errorf("symlinked daemon.json: %s %q, want a symlink failure", f.Status, f.Reason)
	}
	f, _ = status(rep, perms.EtcDefaultDocker.ModeRule(), "file:/etc/default/docker")
	if f.Status != rule.StatusFail || !strings.Contains(f.Reason, "symlink") {
		t.Errorf("symlinked /etc/default/docker: %s %q, want a symlink failure", f.Status, f.Reason)
	}
	f, _ = status(rep, perms.RegistryCerts.ModeRule(), "file:/etc/docker/certs.d")
	if f.Status != rule.StatusFail || !strings.Contains(f.Reason, "symlink") {
		t.Errorf("symlinked certs.d: %s %q, want a symlink failure", f.Status, f.Reason)
	}
	for _, fd := range rep.Findings {
		t.Logf("%s %s %s: %s", fd.Status, fd.Rule, fd.Target, fd.Reason)
	}

	res, err := perms.Fix(cfg, perms.FixOptions{Apply: true})
	if err != nil {
		t.Fatalf("fix: %v", err)
	}
	for _, c := range res.Changes {
		t.Logf("change: %s applied=%v", c, c.Applied)
		if strings.HasPrefix(c.Resolved, outside) || strings.HasPrefix(c.Path, outside) {
			t.Errorf("planned a change outside the root: %s", c)
		}
	}
	if len(res.Manual) < 2 {
		t.Errorf("want the symlinks reported for a person: %+v", res.Manual)
	}
	for _, p := range outsideFiles {
		if got := lstate(t, p); got != before[p] {
			t.Errorf("%s outside the root changed: %+v -> %+v", p, before[p], got)
		}
	}
	// The symlinks themselves are untouched too.
	if l, err := os.Readlink(tr.path("etc/docker/daemon.json")); err != nil || l != secret {
		t.Errorf("daemon.json symlink changed: %q %v", l, err)
	}
}

// A path that resolves through ".." to a real file inside the root is that
// file (as for dockerd, whose "/" is the root); it is fixed in place.
func TestDotDotStaysInRoot(t *testing.T) {
	tr := newTree(t)
	tr.write("srv/tls/ca.pem", "ca", 0o666)
	cfg := perms.Config{Root: tr.root, DockerdArgs: []string{"--tlscacert", "../../../../srv/tls/ca.pem"}}
	ts, err := perms.Targets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tg := range ts {
		if tg.Class == perms.TLSCACert {
			found = true
			if tg.Path != "/srv/tls/ca.pem" || !strings.Contains(tg.Source, "--tlscacert") {
				t.Errorf("tlscacert target = %+v, want /srv/tls/ca.pem from the flag", tg)
			}
		}
	}
	if !found {
		t.Fatal("no tlscacert target")
	}
	if _, err := perms.Fix(cfg, perms.FixOptions{Apply: true}); err != nil {
		t.Fatal(err)
	}
	if got := lstate(t, tr.path("srv/tls/ca.pem")); got.perm != 0o444 {
		t.Errorf("ca.pem mode %04o, want 0444", got.perm)
	}
}

// TestFixRefusesHardLinks: daemon.json is hard-linked to a file outside the
// root. Changing its inode would change that file too, so Fix leaves both
// names untouched (inode, mode and owner) and reports the refusal.
func TestFixRefusesHardLinks(t *testing.T) {
	tr := newTree(t)
	tr.chmod("etc/docker/daemon.json", 0o666)
	tr.chown("etc/docker/daemon.json", 1000, 1000)
	outside := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.Link(tr.path("etc/docker/daemon.json"), outside); err != nil {
		t.Fatal(err)
	}
	inside, out := lstate(t, tr.path("etc/docker/daemon.json")), lstate(t, outside)
	res, err := perms.Fix(perms.Config{Root: tr.root}, perms.FixOptions{Apply: true})
	if err != nil {
		t.Fatalf("fix: %v", err)
	}
	for _, c := range res.Changes {
		if c.Path == "/etc/docker/daemon.json" {
			t.Errorf("planned a change to the hard-linked file: %s", c)
		}
	}
	refused := map[rule.ID]bool{}
	for _, m := range res.Manual {
		if m.Target == "file:/etc/docker/daemon.json" && strings.Contains(m.Reason, "refusing to change") && strings.Contains(m.Reason, "2 hard links") {
			refused[m.Rule] = true
		}
	}
	if !refused[perms.FileDaemonJSONOwner] || !refused[perms.FileDaemonJSONMode] {
		t.Errorf("refusal not reported for both controls: %+v", res.Manual)
	}
	if got := lstate(t, tr.path("etc/docker/daemon.json")); got != inside {
		t.Errorf("daemon.json changed: %+v -> %+v", inside, got)
	}
	if got := lstate(t, outside); got != out {
		t.Errorf("the file outside the root changed: %+v -> %+v", out, got)
	}
	if f, _ := status(res.Before, perms.FileDaemonJSONMode, "file:/etc/docker/daemon.json"); !strings.Contains(f.Detail, "2 hard links") {
		t.Errorf("check detail does not mention the hard links: %q", f.Detail)
	}
}

// TestFixOneChangePerControl: a file whose owner and mode are both wrong
// gets two changes, one per rule; fixing both makes both controls pass.
func TestFixOneChangePerControl(t *testing.T) {
	tr := newTree(t)
	tr.chmod("etc/default/docker", 0o666)
	tr.chown("etc/default/docker", 1000, 1000)
	res, err := perms.Fix(perms.Config{Root: tr.root}, perms.FixOptions{Apply: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[rule.ID]perms.Change{}
	for _, c := range res.Changes {
		got[c.Rule] = c
	}
	if c := got[perms.FileEtcDefaultDockerOwner]; !c.Applied || !c.Chown() || c.Chmod() {
		t.Errorf("owner change %+v", c)
	}
	if c := got[perms.FileEtcDefaultDockerMode]; !c.Applied || c.Chown() || !c.Chmod() || c.ToPerm != 0o644 {
		t.Errorf("mode change %+v", c)
	}
	if st := lstate(t, tr.path("etc/default/docker")); st.perm != 0o644 || st.uid != 0 || st.gid != 0 {
		t.Errorf("after fix %04o %d:%d", st.perm, st.uid, st.gid)
	}
}
