package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/safedock/safedock/internal/hostfs"
)

// TestWriteRefusesASymlinkedDestination: -o naming a symlink is refused;
// neither the link nor its target changes. A new file is 0644 and a
// replacement leaves no temporary file.
func TestWriteRefusesASymlinkedDestination(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "rules.md")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := write(link, []byte("doc")); !errors.Is(err, hostfs.ErrSymlink) {
		t.Fatalf("write through a symlink: %v, want ErrSymlink", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the symlink's target changed: %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi, err)
	}

	out := filepath.Join(dir, "new.md")
	for _, doc := range []string{"one", "two"} {
		if err := write(out, []byte(doc)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(out); string(b) != doc {
			t.Errorf("got %q, want %q", b, doc)
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("new file: %v %v, want mode 0644", fi, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("left behind: %v", ents)
	}
}
