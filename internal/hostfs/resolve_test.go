package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// fakeHost builds a merged-/usr tree with the aliases a bind source can
// hide behind.
func fakeHost(t *testing.T) (string, *Root) {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"etc", "usr/bin", "usr/lib", "run", "srv/data", "var", "home/u"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "etc/passwd"), []byte("root:x:0:0::/:/bin/sh\n"), 0o644))
	links := map[string]string{
		"bin":             "usr/bin",
		"lib":             "usr/lib",
		"var/run":         "../run",
		"srv/etclink":     "/etc",
		"srv/rel":         "../etc",
		"srv/escape":      "../../../../../../../../etc",
		"srv/chain1":      "chain2",
		"srv/chain2":      "/srv/etclink/",
		"srv/loop1":       "loop2",
		"srv/loop2":       "loop1",
		"srv/self":        "self",
		"srv/dangling":    "/etc/new/deeper",
		"srv/dotdot":      "data/../../etc",
		"home/u/toroot":   "/",
		"srv/passwdlink":  "/etc/passwd",
		"srv/missingdots": "nothere/../etc",
	}
	for l, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(dir, l)))
	}
	r, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return dir, r
}

func TestFollowResolvesLikeTheKernelInsideTheRoot(t *testing.T) {
	_, r := fakeHost(t)
	for _, c := range []struct {
		in, want string
		missing  bool
	}{
		{"/etc", "/etc", false},
		{"/srv/etclink", "/etc", false},
		{"/srv/etclink/", "/etc", false},
		{"/srv/etclink/passwd", "/etc/passwd", false},
		{"/srv/rel", "/etc", false},
		{"/srv/escape", "/etc", false}, // ".." clamps at the root, as at "/"
		{"/srv/chain1", "/etc", false},
		{"/srv/dotdot", "/etc", false},
		{"/bin", "/usr/bin", false},
		{"/lib/x", "/usr/lib/x", true},
		{"/var/run", "/run", false},
		{"/var/run/docker.sock", "/run/docker.sock", true},
		{"/home/u/toroot/etc", "/etc", false},
		{"/srv/dangling", "/etc/new/deeper", true},
		{"/srv/etclink/new/dir", "/etc/new/dir", true},
		{"/../../etc", "/etc", false},
		{"", "/", false},
		{"/", "/", false},
		{"srv/etclink", "/etc", false},
	} {
		f, err := r.Follow(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, f.Path, c.in)
		assert.Equal(t, c.missing, f.Missing, c.in)
	}
}

func TestFollowAgreesWithOpenat2(t *testing.T) {
	_, r := fakeHost(t)
	// For every path that exists, the kernel's own RESOLVE_IN_ROOT walk
	// (Root.Resolve) must reach the same place.
	for _, p := range []string{"/srv/etclink", "/srv/rel", "/srv/escape", "/srv/chain1", "/srv/dotdot", "/bin",
		"/var/run", "/home/u/toroot/etc", "/srv/passwdlink", "/srv/etclink/passwd", "/../srv/./rel/"} {
		f, err := r.Follow(p)
		require.NoError(t, err, p)
		k, err := r.Resolve(p)
		require.NoError(t, err, p)
		assert.Equal(t, k, f.Path, "kernel and Follow disagree on %s", p)
	}
}

func TestFollowFailsClosed(t *testing.T) {
	_, r := fakeHost(t)
	for _, c := range []struct {
		in   string
		want error
	}{
		{"/srv/loop1", unix.ELOOP},
		{"/srv/self/x", unix.ELOOP},
		{"/etc/passwd/x", unix.ENOTDIR},
		{"/srv/passwdlink/.", unix.ENOTDIR},
		{"/srv/missingdots", unix.ENOENT},
		{"/etc/\x00", unix.EINVAL},
		{"/" + strings.Repeat("a/", 2100), unix.ENAMETOOLONG},
	} {
		_, err := r.Follow(c.in)
		require.Error(t, err, c.in)
		assert.True(t, errors.Is(err, c.want), "%s: %v, want %v", c.in, err, c.want)
	}
}

func TestStatFollowSeesTheTargetsInode(t *testing.T) {
	dir, r := fakeHost(t)
	st, err := r.StatFollow("/srv/etclink")
	require.NoError(t, err)
	var want unix.Stat_t
	require.NoError(t, unix.Stat(filepath.Join(dir, "etc"), &want))
	assert.Equal(t, want.Ino, st.Ino)
	assert.Equal(t, "/etc", st.Resolved)
	_, err = r.StatFollow("/srv/dangling")
	assert.ErrorIs(t, err, os.ErrNotExist)
}
