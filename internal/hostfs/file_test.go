package hostfs

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

type inode struct {
	perm     uint32
	uid, gid uint32
	ino      uint64
	nlink    uint64
}

func lstatInode(t *testing.T, p string) inode {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatalf("lstat %s: %v", p, err)
	}
	return inode{perm: st.Mode & 0o7777, uid: st.Uid, gid: st.Gid, ino: st.Ino, nlink: uint64(st.Nlink)}
}

func writeMode(t *testing.T, p, content string, perm uint32) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

// within runs fn and fails the test unless it returns within d.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %s", d)
	}
}

// TestReadFileRefusesSpecialFilesAtOnce: a FIFO with no writer, a device,
// a socket, a directory and a symlink are refused without blocking.
func TestReadFileRefusesSpecialFilesAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	reg := filepath.Join(dir, "reg")
	writeMode(t, reg, "{}", 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]error{fifo: ErrNotRegular, "/dev/null": ErrNotRegular, "/dev/zero": ErrNotRegular, sock: ErrNotRegular, dir: ErrNotRegular, link: ErrSymlink} {
		within(t, 5*time.Second, func() {
			if _, _, err := ReadFile(p, 1<<20); !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", p, err, want)
			}
			if f, err := OpenForReplace(p, 1<<20); !errors.Is(err, want) {
				f.Close()
				t.Errorf("OpenForReplace %s: %v, want %v", p, err, want)
			}
		})
	}
	data, info, err := ReadFile(reg, 1<<20)
	if err != nil || string(data) != "{}" || info.Perm != 0o644 {
		t.Errorf("regular file: %q %+v %v", data, info, err)
	}
	if _, _, err := ReadFile(reg, 1); err == nil {
		t.Error("read a file larger than the limit")
	}
}

func TestReplaceKeepsStrictModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name           string
		perm, max      uint32
		uid, gid       uint32
		root           bool
		wantPerm       uint32
		wantUID, wantG uint32
	}{
		{"0600 stays 0600 under 0644", 0o600, 0o644, 0, 0, true, 0o600, 0, 0},
		{"0640 keeps its group", 0o640, 0o644, 0, 4242, false, 0o640, 0, 4242},
		{"0666 is tightened to 0644", 0o666, 0o644, 0, 0, true, 0o644, 0, 0},
		{"owner kept without RootOwned", 0o600, 0, 1000, 1000, false, 0o600, 1000, 1000},
		{"RootOwned tightens the owner", 0o644, 0o644, 1000, 1000, true, 0o644, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "f-"+tc.name)
			writeMode(t, p, "old", tc.perm)
			if os.Geteuid() != 0 && (tc.uid != 0 || tc.gid != 0 || tc.root) {
				t.Skip("needs root")
			}
			if err := os.Chown(p, int(tc.uid), int(tc.gid)); err != nil {
				t.Fatal(err)
			}
			syscall.Chmod(p, tc.perm)
			f, err := OpenForReplace(p, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			res, err := f.Replace([]byte("new"), ReplaceOptions{MaxPerm: 0o644 & os.FileMode(tc.max), RootOwned: tc.root, Backup: "f.bak-" + tc.name[:4]})
			if err != nil {
				t.Fatal(err)
			}
			got := lstatInode(t, p)
			if got.perm != tc.wantPerm || got.uid != tc.wantUID || got.gid != tc.wantG {
				t.Errorf("new file %04o %d:%d, want %04o %d:%d", got.perm, got.uid, got.gid, tc.wantPerm, tc.wantUID, tc.wantG)
			}
			if b, _ := os.ReadFile(p); string(b) != "new" {
				t.Errorf("content %q", b)
			}
			bk := lstatInode(t, res.Backup)
			if bk.perm != tc.perm || bk.uid != tc.uid || bk.gid != tc.gid {
				t.Errorf("backup %04o %d:%d, want the original's %04o %d:%d", bk.perm, bk.uid, bk.gid, tc.perm, tc.uid, tc.gid)
			}
			if b, _ := os.ReadFile(res.Backup); string(b) != "old" {
				t.Errorf("backup holds %q", b)
			}
			if leftovers(t, dir, ".f-") {
				t.Error("temporary file left behind")
			}
		})
	}
}

func leftovers(t *testing.T, dir, prefix string) bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if len(e.Name()) >= len(prefix) && e.Name()[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

// TestReplaceNeverFollowsASwappedSymlink replaces the path with a symlink
// to a root-only secret after the original was read: the backup is written
// from the bytes already read, nothing reads the secret, and the swap is
// detected before the rename.
func TestReplaceNeverFollowsASwappedSymlink(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "daemon.json")
	writeMode(t, p, "original", 0o644)
	secret := filepath.Join(t.TempDir(), "secret")
	writeMode(t, secret, "TOP SECRET", 0o600)
	secretBefore := lstatInode(t, secret)

	hookAfterRead = func() {
		if err := os.Rename(p, p+".moved"); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(secret, p); err != nil {
			t.Error(err)
		}
	}
	var backedUp []byte
	hookBackupWrite = func(data []byte) error { backedUp = append([]byte(nil), data...); return nil }
	defer func() { hookAfterRead, hookBackupWrite = nil, nil }()

	f, err := OpenForReplace(p, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = f.Replace([]byte("new"), ReplaceOptions{MaxPerm: 0o644, Backup: "daemon.json.bak"})
	if !errors.Is(err, ErrChanged) {
		t.Errorf("replace after the swap: %v, want ErrChanged", err)
	}
	if string(backedUp) != "original" {
		t.Errorf("backup was written from %q, want the original content", backedUp)
	}
	if b, _ := os.ReadFile(secret); string(b) != "TOP SECRET" || lstatInode(t, secret) != secretBefore {
		t.Error("the secret was changed")
	}
	if st := lstatInode(t, p); st.perm&0o777 != 0o777 { // still the symlink
		t.Errorf("the symlink was replaced: %+v", st)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && bytes.Contains(b, []byte("SECRET")) && e.Type()&os.ModeSymlink == 0 {
			t.Errorf("%s holds the secret", e.Name())
		}
		if e.Name() == "daemon.json.bak" || e.Name()[0] == '.' {
			t.Errorf("%s left behind after the refused replace", e.Name())
		}
	}
}

// TestFailedBackupLeavesNothing: a write error halfway through the backup
// removes the partial backup and leaves the original untouched.
func TestFailedBackupLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.json")
	writeMode(t, p, `{"ociVersion": "1.0.2"}`, 0o640)
	before := lstatInode(t, p)
	hookBackupWrite = func([]byte) error { return syscall.ENOSPC }
	defer func() { hookBackupWrite = nil }()
	f, err := OpenForReplace(p, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Replace([]byte("new"), ReplaceOptions{Backup: "config.json.bak"}); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("replace: %v, want ENOSPC", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	if b, _ := os.ReadFile(p); string(b) != `{"ociVersion": "1.0.2"}` || lstatInode(t, p) != before {
		t.Errorf("original changed: %q", b)
	}
}

func TestReplaceRefusesHardLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "daemon.json")
	writeMode(t, p, "x", 0o600)
	other := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Link(p, other); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenForReplace(p, 1<<20); !errors.Is(err, ErrHardLinked) {
		t.Errorf("hard-linked file: %v", err)
	}
}

func TestReplaceCreatesAMissingFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "daemon.json")
	f, err := OpenForReplace(p, 1<<20)
	if err != nil || f.Exists {
		t.Fatalf("missing file: %+v %v", f, err)
	}
	defer f.Close()
	res, err := f.Replace([]byte("{}"), ReplaceOptions{NewPerm: 0o644, MaxPerm: 0o644, Backup: "b"})
	if err != nil || res.Backup != "" {
		t.Fatalf("%+v %v", res, err)
	}
	if st := lstatInode(t, p); st.perm != 0o644 {
		t.Errorf("mode %04o", st.perm)
	}
}

func FuzzReadFileName(f *testing.F) {
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("x"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Add("a")
	f.Add("../a")
	f.Add("")
	f.Add("a/../../etc/passwd")
	f.Fuzz(func(t *testing.T, name string) {
		if strings.Contains(name, "..") {
			t.Skip("stays inside the fixture directory")
		}
		data, _, err := ReadFile(filepath.Join(dir, name), 16)
		if err == nil && len(data) > 16 {
			t.Fatalf("read %d bytes past the limit", len(data))
		}
	})
}
