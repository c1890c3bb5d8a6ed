package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenForReplaceIn: the file is found in the directory given, replaced
// atomically; a symlink is refused and a path of more than one component
// is not a name.
func TestOpenForReplaceIn(t *testing.T) {
	dir := t.TempDir()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := OpenForReplaceIn(d, "spec", filepath.Join(dir, "spec"), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if f.Exists {
		t.Error("a missing file exists")
	}
	if _, err := f.Replace([]byte("one"), ReplaceOptions{NewPerm: 0o644}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, _ := os.ReadFile(filepath.Join(dir, "spec")); string(b) != "one" {
		t.Errorf("got %q", b)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "spec")); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}

	if err := os.Symlink("spec", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenForReplaceIn(d, "link", "link", 1<<10); !errors.Is(err, ErrSymlink) {
		t.Errorf("symlink: %v, want ErrSymlink", err)
	}
	for _, name := range []string{"", ".", "..", "a/b"} {
		if _, err := OpenForReplaceIn(d, name, name, 1<<10); err == nil {
			t.Errorf("%q accepted as a file name", name)
		}
	}
	file, err := os.Open(filepath.Join(dir, "spec"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := OpenForReplaceIn(file, "x", "x", 1<<10); err == nil {
		t.Error("a regular file accepted as the directory")
	}
}
