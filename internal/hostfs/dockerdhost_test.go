package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMountOptions(t *testing.T) {
	mi := []byte("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n" +
		"40 22 8:2 / /srv/data rw,noatime shared:2 - xfs /dev/sdb1 rw,attr2,prjquota\n" +
		"41 22 8:3 / /srv/my\\040dir rw - tmpfs tmpfs rw,size=10k\n")
	for _, c := range []struct {
		path string
		want string
	}{
		{"/srv/data/docker", "prjquota"},
		{"/srv/data", "prjquota"},
		{"/srv/database", "errors=remount-ro"},
		{"/srv/my dir/x", "size=10k"},
	} {
		opts, ok := MountOptions(mi, c.path)
		if !ok || !slices.Contains(opts, c.want) {
			t.Errorf("%s: %v %v, want %s", c.path, opts, ok, c.want)
		}
	}
	if _, ok := MountOptions(nil, "/x"); ok {
		t.Error("an empty table holds a mount")
	}
}

func TestNofileHardLimit(t *testing.T) {
	lim := []byte("Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1048576              1048576              files     \n")
	if n := NofileHardLimit(lim); n != 1048576 {
		t.Errorf("got %d", n)
	}
	if n := NofileHardLimit([]byte("Max open files unlimited unlimited files\n")); n != 0 {
		t.Errorf("unlimited: got %d", n)
	}
}

// The daemon-host additions of Files: a listing's entries are examined,
// StatFollow follows symlinks in the gathered facts only, and the
// filesystem of a missing path is its nearest existing parent's.
func TestFilesDaemonHostAdditions(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "etc/docker/plugins/broker"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "etc/docker/plugins/opa.spec"), nil, 0o644))
	must(os.WriteFile(filepath.Join(dir, "etc/docker/seccomp.json"), nil, 0o644))
	must(os.Symlink("seccomp.json", filepath.Join(dir, "etc/docker/profile.json")))
	must(os.Symlink("/nowhere", filepath.Join(dir, "etc/docker/dangling.json")))
	r, err := Open(dir)
	must(err)
	defer r.Close()
	f := newFiles(r)
	f.GatherDirs(r, "/etc/docker/plugins", "/missing")
	if names, err := f.ReadDir("/etc/docker/plugins"); err != nil || !slices.Equal(names, []string{"broker", "opa.spec"}) {
		t.Errorf("listing: %v %v", names, err)
	}
	if st, err := f.Lstat("/etc/docker/plugins/broker"); err != nil || !st.Mode.IsDir() {
		t.Errorf("an entry is examined: %+v %v", st, err)
	}
	f.Gather(r, "/etc/docker/profile.json", "/etc/docker/dangling.json")
	if st, err := f.StatFollow("/etc/docker/profile.json"); err != nil || !st.Mode.IsRegular() || st.Resolved != "/etc/docker/seccomp.json" {
		t.Errorf("a symlink to a file: %+v %v", st, err)
	}
	if _, err := f.StatFollow("/etc/docker/dangling.json"); err == nil {
		t.Error("a dangling symlink counts as present")
	}
	if _, err := f.StatFollow("/etc/passwd"); !errors.Is(err, ErrNotGathered) {
		t.Errorf("a path never gathered: %v, want ErrNotGathered", err)
	}
	f.GatherFS(r, "/srv/docker/missing")
	info, err := f.FS("/srv/docker/missing")
	if err != nil || info.Path != "/" || info.Type == 0 {
		t.Errorf("a missing data root: %+v %v", info, err)
	}
	if _, err := f.FS("/var/lib/docker"); !errors.Is(err, ErrNotGathered) {
		t.Errorf("a filesystem never gathered: %v", err)
	}
	if got := f.HostPath("/srv/docker"); got != dir+"/srv/docker" {
		t.Errorf("host path %s", got)
	}
}
