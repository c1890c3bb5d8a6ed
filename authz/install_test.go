package authz_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/authz"
)

func TestInstallWritesSpecAndUnit(t *testing.T) {
	root := t.TempDir()
	got, err := authz.Install(authz.InstallOptions{Root: root, Binary: "/usr/local/bin/safedock", ServeArgs: []string{"--waivers", "/etc/safedock/waivers.yaml"}})
	require.NoError(t, err)
	spec := filepath.Join(root, got.Spec)
	b, err := os.ReadFile(spec)
	require.NoError(t, err)
	assert.Equal(t, "unix:///run/safedock/authz.sock\n", string(b))
	fi, err := os.Stat(spec)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	unit, err := os.ReadFile(filepath.Join(root, got.Unit))
	require.NoError(t, err)
	for _, want := range []string{"Before=docker.service", "Restart=always",
		"ExecStart=/usr/local/bin/safedock authz serve --socket /run/safedock/authz.sock --waivers /etc/safedock/waivers.yaml"} {
		assert.Contains(t, string(unit), want)
	}
	// Re-install replaces the file atomically: a new inode, no temp files left.
	ino := fi.Sys().(*syscall.Stat_t).Ino
	_, err = authz.Install(authz.InstallOptions{Root: root, Binary: "/usr/local/bin/safedock", Socket: "/run/x/y.sock"})
	require.NoError(t, err)
	fi2, err := os.Stat(spec)
	require.NoError(t, err)
	assert.NotEqual(t, ino, fi2.Sys().(*syscall.Stat_t).Ino, "renamed into place, not rewritten in place")
	b, _ = os.ReadFile(spec)
	assert.Equal(t, "unix:///run/x/y.sock\n", string(b))
	ents, _ := os.ReadDir(filepath.Dir(spec))
	for _, e := range ents {
		assert.False(t, strings.Contains(e.Name(), ".tmp"), "temp file left: %s", e.Name())
	}
}

func TestInstallNeverFollowsSymlinks(t *testing.T) {
	outside := t.TempDir()
	// A symlinked directory on the way.
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc", "docker"), 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "etc", "docker", "plugins")))
	_, err := authz.Install(authz.InstallOptions{Root: root, Binary: "/bin/safedock"})
	assert.ErrorContains(t, err, "symlink")
	ents, _ := os.ReadDir(outside)
	assert.Empty(t, ents, "nothing written through the symlink")

	// A symlink at the file itself.
	root = t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc", "docker", "plugins"), 0o755))
	target := filepath.Join(outside, "victim")
	require.NoError(t, os.WriteFile(target, []byte("keep"), 0o600))
	require.NoError(t, os.Symlink(target, filepath.Join(root, "etc", "docker", "plugins", "safedock.spec")))
	_, err = authz.Install(authz.InstallOptions{Root: root, Binary: "/bin/safedock"})
	assert.ErrorContains(t, err, "symlink")
	b, _ := os.ReadFile(target)
	assert.Equal(t, "keep", string(b), "symlink target untouched")
	fi, err := os.Lstat(filepath.Join(root, "etc", "docker", "plugins", "safedock.spec"))
	require.NoError(t, err)
	assert.True(t, fi.Mode()&os.ModeSymlink != 0, "symlink left as it was")
}

func TestInstallRefusesBadInput(t *testing.T) {
	root := t.TempDir()
	for name, o := range map[string]authz.InstallOptions{
		"no root":         {Binary: "/bin/safedock"},
		"relative binary": {Root: root, Binary: "safedock"},
		"relative socket": {Root: root, Binary: "/bin/safedock", Socket: "run/a.sock"},
		"space in arg":    {Root: root, Binary: "/bin/safedock", ServeArgs: []string{"--log", "/var/log/my log"}},
	} {
		_, err := authz.Install(o)
		assert.Error(t, err, name)
	}
}
