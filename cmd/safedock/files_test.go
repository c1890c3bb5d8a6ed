package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

type fstate struct {
	perm     uint32
	uid, gid uint32
	ino      uint64
	nlink    uint64
}

func fileState(t *testing.T, p string) fstate {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return fstate{perm: st.Mode & 0o7777, uid: st.Uid, gid: st.Gid, ino: st.Ino, nlink: uint64(st.Nlink)}
}

func writeFileMode(t *testing.T, p string, data []byte, perm uint32, uid, gid int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (chown)")
	}
}

// backups lists the files of dir whose name matches pattern.
func backups(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDaemonConfigHardenWriteNeverLoosens: a 0600 daemon.json stays 0600
// (its secrets stay private), the backup is 0600 with the original
// content, and a file that is looser or not root-owned is tightened to
// 0644 root:root, never loosened.
func TestDaemonConfigHardenWriteNeverLoosens(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name                 string
		perm                 uint32
		uid, gid             int
		wantPerm             uint32
		wantUID, wantGID     uint32
		backupPerm           uint32
		backupUID, backupGID uint32
	}{
		{"0600 root stays 0600", 0o600, 0, 0, 0o600, 0, 0, 0o600, 0, 0},
		{"0640 root stays 0640", 0o640, 0, 0, 0o640, 0, 0, 0o640, 0, 0},
		{"0666 becomes 0644", 0o666, 0, 0, 0o644, 0, 0, 0o666, 0, 0},
		{"user-owned becomes root:root", 0o600, 1000, 1000, 0o600, 0, 0, 0o600, 1000, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "daemon.json")
			orig := []byte(`{"icc": true, "labels": ["registry-token=s3cr3t"]}`)
			writeFileMode(t, p, orig, tc.perm, tc.uid, tc.gid)
			code, _, stderr := runCLI(t, "daemon-config", "harden", p, "--write", "--swarm", "no")
			if code != exitOK {
				t.Fatalf("harden --write: exit %d: %s", code, stderr)
			}
			got := fileState(t, p)
			if got.perm != tc.wantPerm || got.uid != tc.wantUID || got.gid != tc.wantGID {
				t.Errorf("daemon.json after --write: %04o %d:%d, want %04o %d:%d", got.perm, got.uid, got.gid, tc.wantPerm, tc.wantUID, tc.wantGID)
			}
			if b, _ := os.ReadFile(p); !bytes.Contains(b, []byte(`"icc": false`)) {
				t.Errorf("not hardened: %s", b)
			}
			bk := backups(t, dir, "daemon.json.bak-*")
			if len(bk) != 1 {
				t.Fatalf("backups %v", bk)
			}
			bs := fileState(t, bk[0])
			if bs.perm != tc.backupPerm || bs.uid != tc.backupUID || bs.gid != tc.backupGID {
				t.Errorf("backup %04o %d:%d, want the original's %04o %d:%d", bs.perm, bs.uid, bs.gid, tc.backupPerm, tc.backupUID, tc.backupGID)
			}
			if b, _ := os.ReadFile(bk[0]); !bytes.Equal(b, orig) {
				t.Errorf("backup holds %q", b)
			}
		})
	}
}

// within fails the test unless fn returns within d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		t.Logf("%s returned after %s", what, time.Since(start).Round(time.Millisecond))
	case <-time.After(d):
		t.Fatalf("%s still blocked after %s", what, d)
	}
}

// TestReadersRefuseFIFOsAtOnce: no writer is ever attached to the FIFO; every
// reader must return at once with a clear error instead of waiting for one.
func TestReadersRefuseFIFOsAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "daemon.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// validate follows a symlink, as dockerd does: to a FIFO it is refused
	// just the same.
	fifoLink := filepath.Join(dir, "link.json")
	if err := os.Symlink(fifo, fifoLink); err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(bundle, "config.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/docker"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "etc/docker/daemon.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"daemon-config", "validate", fifo, "--swarm", "no"}, exitError, "named pipe"},
		{[]string{"daemon-config", "validate", fifoLink, "--swarm", "no"}, exitError, "named pipe"},
		{[]string{"daemon-config", "harden", fifo, "--swarm", "no"}, exitError, "named pipe"},
		{[]string{"daemon-config", "harden", fifo, "--write", "--swarm", "no"}, exitError, "named pipe"},
		{[]string{"runspec", "check", bundle}, exitError, "named pipe"},
		{[]string{"runspec", "harden", bundle, "--write"}, exitError, "named pipe"},
		{[]string{"perms", "check", "--root", root}, exitFindings, "named pipe"},
	} {
		within(t, 5*time.Second, strings.Join(tc.args[:2], " "), func() {
			code, out, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(out+stderr, tc.msg) {
				t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.msg, out, stderr)
			}
		})
	}
}

// TestRunspecHardenWriteBacksUpWhatItRead swaps config.json for a symlink
// to a root-only secret after it was read and hardened: the write is
// refused, no backup holds the secret, the secret and the symlink are
// untouched.
func TestRunspecHardenWriteBacksUpWhatItRead(t *testing.T) {
	dir := runcSpecBundle(t)
	cfg := filepath.Join(dir, "config.json")
	secret := filepath.Join(t.TempDir(), "shadow")
	writeFileMode(t, secret, []byte(`{"ociVersion": "1.0.2", "hostname": "TOP-SECRET"}`), 0o600, 0, 0)
	secretBefore := fileState(t, secret)
	testHookBeforeRunspecWrite = func(path string) {
		if err := os.Rename(path, path+".moved"); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(secret, path); err != nil {
			t.Error(err)
		}
	}
	defer func() { testHookBeforeRunspecWrite = nil }()
	code, out, stderr := runCLI(t, "runspec", "harden", dir, "--write")
	if code != exitError {
		t.Errorf("harden --write after a swap: exit %d, want %d\n%s%s", code, exitError, out, stderr)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.Type()&os.ModeSymlink != 0 {
			continue
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("TOP-SECRET")) {
			st := fileState(t, p)
			t.Errorf("%s (mode %04o) holds the secret", e.Name(), st.perm)
		}
	}
	if fi, err := os.Lstat(cfg); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the swapped-in symlink was replaced: %v %v", fi, err)
	}
	if fileState(t, secret) != secretBefore {
		t.Error("the secret was changed")
	}
}

// smallFS mounts a tmpfs of size bytes for the test (root only).
func smallFS(t *testing.T, size int) string {
	t.Helper()
	needRoot(t)
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		t.Skipf("mounting a small tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// TestFailedBackupLeavesNothing: on a filesystem with room for the
// original but not for its backup, the backup write fails part-way. No
// partial backup may remain, and the original is untouched.
func TestFailedBackupLeavesNothing(t *testing.T) {
	big := strings.Repeat("x", 40<<10)
	t.Run("runspec", func(t *testing.T) {
		dir := smallFS(t, 64<<10)
		b, err := os.ReadFile("../../runspec/testdata/runc-spec.json")
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte(`"ociVersion"`), []byte(`"annotations": {"pad": "`+big+`"}, "ociVersion"`), 1)
		cfg := filepath.Join(dir, "config.json")
		writeFileMode(t, cfg, b, 0o640, 0, 0)
		before := fileState(t, cfg)
		code, _, stderr := runCLI(t, "runspec", "harden", dir, "--write")
		if code != exitError {
			t.Fatalf("exit %d, want %d: %s", code, exitError, stderr)
		}
		t.Logf("stderr: %s", stderr)
		assertOnly(t, dir, "config.json")
		if now, _ := os.ReadFile(cfg); !bytes.Equal(now, b) || fileState(t, cfg) != before {
			t.Error("the original was changed")
		}
	})
	t.Run("daemon-config", func(t *testing.T) {
		dir := smallFS(t, 64<<10)
		p := filepath.Join(dir, "daemon.json")
		orig := []byte(`{"icc": true, "labels": ["pad=` + big + `"]}`)
		writeFileMode(t, p, orig, 0o600, 0, 0)
		before := fileState(t, p)
		code, _, stderr := runCLI(t, "daemon-config", "harden", p, "--write", "--swarm", "no")
		if code != exitError {
			t.Fatalf("exit %d, want %d: %s", code, exitError, stderr)
		}
		t.Logf("stderr: %s", stderr)
		assertOnly(t, dir, "daemon.json")
		if now, _ := os.ReadFile(p); !bytes.Equal(now, orig) || fileState(t, p) != before {
			t.Error("the original was changed")
		}
	})
}

func assertOnly(t *testing.T, dir, name string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != name {
			info, _ := e.Info()
			t.Errorf("left behind: %s (%d bytes)", e.Name(), info.Size())
		}
	}
}

func TestDaemonConfigGenerateRefusesUsernsRoot(t *testing.T) {
	for _, spec := range []string{"root", "0", "0:0"} {
		code, out, stderr := runCLI(t, "daemon-config", "generate", "--userns-remap", spec)
		if code != exitUsage || out != "" || !strings.Contains(stderr, `use "default"`) {
			t.Errorf("--userns-remap %s: exit %d, stdout %q, stderr %q", spec, code, out, stderr)
		}
	}
}

func TestDaemonConfigWriteRefusesHardLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(p, []byte(`{"icc": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.Link(p, other); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, p)
	// Reading is fine: only writing through a hard link is refused.
	if code, out, stderr := runCLI(t, "daemon-config", "harden", p, "--swarm", "no"); code != exitOK || !strings.Contains(out, `"icc": false`) {
		t.Errorf("harden to stdout: exit %d: %s", code, stderr)
	}
	code, _, stderr := runCLI(t, "daemon-config", "harden", p, "--write", "--swarm", "no")
	if code != exitError || !strings.Contains(stderr, "hard link") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if fileState(t, p) != before || fileState(t, other) != before {
		t.Error("a hard-linked file was changed")
	}
}

// TestPermsFixRefusesHardLinks: perms fix --apply leaves a hard-linked
// daemon.json (whose other name is outside --root) untouched and says so.
func TestPermsFixRefusesHardLinks(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	p := filepath.Join(root, "etc/docker/daemon.json")
	writeFileMode(t, p, []byte("{}"), 0o666, 1000, 1000)
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.Link(p, outside); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, outside)
	code, out, stderr := runCLI(t, "perms", "fix", "--root", root, "--apply")
	if code != exitFindings || !strings.Contains(out, "needs a person: file.daemon-json.mode file:/etc/docker/daemon.json: refusing to change") ||
		!strings.Contains(out, "needs a person: file.daemon-json.owner") {
		t.Errorf("exit %d:\n%s%s", code, out, stderr)
	}
	if fileState(t, outside) != before || fileState(t, p) != before {
		t.Errorf("a hard-linked file changed: %+v -> %+v", before, fileState(t, outside))
	}
}

func TestRunspecWriteRefusesHardLinks(t *testing.T) {
	dir := runcSpecBundle(t)
	cfg := filepath.Join(dir, "config.json")
	other := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.Link(cfg, other); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, cfg)
	if code, out, stderr := runCLI(t, "runspec", "harden", dir); code != exitOK || !strings.Contains(out, `"noNewPrivileges": true`) {
		t.Errorf("harden to stdout: exit %d: %s", code, stderr)
	}
	code, _, stderr := runCLI(t, "runspec", "harden", dir, "--write")
	if code != exitError || !strings.Contains(stderr, "hard link") {
		t.Errorf("harden --write: exit %d: %s", code, stderr)
	}
	if fileState(t, cfg) != before || fileState(t, other) != before {
		t.Error("a hard-linked file was changed")
	}
	if bk := backups(t, dir, "config.json.*.bak"); len(bk) != 0 {
		t.Errorf("backups left: %v", bk)
	}
}

// TestFileCommandsHonourACancelledContext: once the context is cancelled
// (a first SIGINT), the commands stop before reading or writing anything.
func TestFileCommandsHonourACancelledContext(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(p, []byte(`{"icc": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"daemon-config", "validate", p, "--swarm", "no"},
		{"daemon-config", "harden", p, "--write", "--swarm", "no"},
		{"runspec", "check", runcSpecBundle(t)},
		{"runspec", "harden", runcSpecBundle(t), "--write"},
		{"perms", "check", "--root", dir},
	} {
		var out, errb bytes.Buffer
		code := run(ctx, &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
		if code != exitError || !strings.Contains(errb.String(), "context canceled") {
			t.Errorf("%v: exit %d: %s%s", args, code, out.String(), errb.String())
		}
	}
	if fileState(t, p) != before {
		t.Error("a cancelled harden --write changed the file")
	}
}

// TestDaemonConfigValidateFollowsASymlink: a daemon.json that is a symlink
// to a regular file (as on NixOS) is validated, as dockerd reads it.
func TestDaemonConfigValidateFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	if err := os.WriteFile(real, []byte(`{"disable-legacy-registry": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "daemon.json")
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "daemon-config", "validate", link, "--swarm", "no")
	if code != exitFindings || !strings.Contains(out, "disable-legacy-registry") {
		t.Errorf("exit %d:\n%s%s", code, out, stderr)
	}
	// Writing through it is refused.
	if code, _, stderr := runCLI(t, "daemon-config", "harden", link, "--write", "--swarm", "no"); code != exitError || !strings.Contains(stderr, "symbolic link") {
		t.Errorf("harden --write through a symlink: exit %d: %s", code, stderr)
	}
}
