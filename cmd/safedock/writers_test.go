package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWritersNeverFollowASymlinkedDestination: every command that writes a
// file (daemon-config harden --write, runspec harden --write, authz
// install) goes through the one atomic writer, which refuses a destination
// that is a symlink: the command fails, the link stays a link, its target
// is untouched, and no temporary file or backup is left next to it.
func TestWritersNeverFollowASymlinkedDestination(t *testing.T) {
	spec, err := os.ReadFile("../../runspec/testdata/runc-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		dest    string // the symlink, relative to the test's directory
		content []byte // the target's content
		args    func(dir string) []string
	}{
		{"daemon-config harden --write", "daemon.json", []byte(`{"icc": true}`), func(dir string) []string {
			return []string{"daemon-config", "harden", filepath.Join(dir, "daemon.json"), "--write", "--engine-version", "20.10.24", "--swarm", "no"}
		}},
		{"runspec harden --write", "bundle/config.json", spec, func(dir string) []string {
			return []string{"runspec", "harden", filepath.Join(dir, "bundle"), "--write"}
		}},
		{"authz install", "etc/docker/plugins/safedock.spec", []byte("keep"), func(dir string) []string {
			return []string{"authz", "install", "--dir", dir, "--binary", "/usr/local/bin/safedock"}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(target, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, c.dest)
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := runCLI(t, c.args(dir)...)
			if code == exitOK {
				t.Errorf("exit 0 writing through a symlink\n%s%s", out, stderr)
			}
			if !strings.Contains(stderr, "symbolic link") && !strings.Contains(stderr, "symlink") {
				t.Errorf("the error does not name the symlink: %s", stderr)
			}
			if b, _ := os.ReadFile(target); string(b) != string(c.content) {
				t.Errorf("the symlink's target changed: %q", b)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink was replaced: %v %v", fi, err)
			}
			ents, _ := os.ReadDir(filepath.Dir(link))
			if len(ents) != 1 {
				t.Errorf("left next to %s: %v", c.dest, ents)
			}
		})
	}
}
