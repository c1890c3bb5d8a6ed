package hardening

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/safedock/safedock/rule"
)

// fakeRoot is a host tree for the mount rules: merged /usr, /var/run ->
// ../run, a Docker socket at /run/docker.sock (a real listening unix
// socket), a daemon socket at a path no default list knows
// (/srv/api/custom.sock, the caller's DOCKER_HOST), and the aliases a bind
// source can hide behind.
type fakeRoot struct {
	dir    string
	custom string // in-root path of the non-default socket
}

func newFakeRoot(t *testing.T) fakeRoot {
	t.Helper()
	// Short: a unix socket path is at most 107 bytes.
	dir, err := os.MkdirTemp("/tmp", "sdm")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"etc", "usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "boot", "dev", "proc", "sys", "run/containerd", "run/user/1000", "srv/data", "srv/api", "var", "home/u"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	links := map[string]string{
		"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64",
		"var/run":        "../run",
		"srv/etclink":    "/etc",
		"srv/relroot":    "../",
		"srv/deep":       "data/../../etc",
		"srv/loop1":      "loop2",
		"srv/loop2":      "loop1",
		"home/u/toroot":  "/",
		"srv/socklink":   "/var/run/docker.sock",
		"srv/customlink": "api/custom.sock",
		"srv/runlink":    "/run",
	}
	for l, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(dir, l)))
	}
	for _, s := range []string{"run/docker.sock", "srv/api/custom.sock", "run/user/1000/docker.sock", "run/containerd/containerd.sock"} {
		ln, err := net.Listen("unix", filepath.Join(dir, s))
		require.NoError(t, err, s)
		t.Cleanup(func() { ln.Close() })
	}
	require.NoError(t, os.Link(filepath.Join(dir, "run/docker.sock"), filepath.Join(dir, "srv/hard.sock")))
	return fakeRoot{dir: dir, custom: "/srv/api/custom.sock"}
}

func (f fakeRoot) host() HostFacts {
	h := hostAll
	h.Local, h.Root = true, f.dir
	h.SocketPaths = []string{"unix://" + f.custom}
	return h
}

// buildWith builds the hardened spec on the fake host with extra options.
func (f fakeRoot) build(opts ...Option) (*Spec, error) {
	return Build(testImage, append(hardenedOpts(), append([]Option{WithHostFacts(f.host())}, opts...)...)...)
}

// audited evaluates an inspect whose Mounts holds one bind (as dockerd
// records it: the source cleaned, not resolved) on the fake host.
func (f fakeRoot) audited(src string, rw bool) []rule.Finding {
	c := &container.InspectResponse{
		Name:       "/x",
		Config:     &container.Config{},
		HostConfig: &container.HostConfig{},
		Mounts:     []container.MountPoint{{Type: mount.TypeBind, Source: path.Clean(src), Destination: "/x", RW: rw}},
	}
	return Evaluate(SubjectFromInspect(c, f.host(), nil))
}

// Every sensitive path and every alias of one, through the builder
// (refused) and the audit (fail), under the same rule ID.
func TestSensitiveAliasesRefusedAndFailed(t *testing.T) {
	f := newFakeRoot(t)
	for _, src := range []string{
		"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
		"/etc/", "/etc/ssl", "/srv/etclink", "/srv/etclink/", "/srv/etclink/new/dir", "/srv/../etc",
		"/srv/relroot", "/srv/deep", "/home/u/toroot/etc", "/home/u/toroot",
		"/bin", "/sbin", "/lib64", "/bin/", "/var/run/../../etc",
	} {
		t.Run(src, func(t *testing.T) {
			_, err := f.build(WithAddedVolume(src + ":/x"))
			assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, "Build of %s", src)
			got := findingOf(f.audited(src, true), rule.ContainerSensitiveMounts)
			assert.Equal(t, rule.StatusFail, got.Status, "audit of %s: %s %s", src, got.Reason, got.Detail)
			assert.Equal(t, "resolved", got.Method)

			// Read-only is allowed, and judged on the same resolved path.
			sp, err := f.build(WithAddedVolume(src + ":/x:ro"))
			if err == nil {
				assert.Equal(t, rule.StatusPass, findingOf(sp.Check(), rule.ContainerSensitiveMounts).Status)
			} else {
				assert.NotContains(t, violationIDs(err), rule.ContainerSensitiveMounts, "read-only %s", src)
			}
		})
	}
	// Not sensitive: a plain data directory, a name that only starts like
	// /etc, and a ".." that dockerd cleans away before the kernel sees the
	// path (/srv/runlink/../etc is /srv/etc, not /etc).
	for _, src := range []string{"/srv/data", "/srv/etcetera", "/var/lib/app", "/srv/runlink/../etc"} {
		sp, err := f.build(WithAddedVolume(src + ":/x"))
		require.NoError(t, err, src)
		assert.Equal(t, rule.StatusPass, findingOf(sp.Check(), rule.ContainerSensitiveMounts).Status, src)
		assert.Equal(t, rule.StatusPass, findingOf(f.audited(src, true), rule.ContainerSensitiveMounts).Status, src)
	}
}

// A symlink loop is never passed: it fails closed.
func TestSymlinkLoopFailsClosed(t *testing.T) {
	f := newFakeRoot(t)
	_, err := f.build(WithAddedVolume("/srv/loop1:/x:ro"))
	assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts)
	assert.ErrorContains(t, err, "symlinks")
	got := findingOf(f.audited("/srv/loop1", false), rule.ContainerSensitiveMounts)
	assert.Equal(t, rule.StatusFail, got.Status)
	assert.Equal(t, rule.StatusFail, findingOf(f.audited("/srv/loop1", false), rule.ContainerDockerSocket).Status)
}

// A root confines resolution: an absolute symlink to /etc names the root's
// etc, never this machine's.
func TestResolutionStaysInTheRoot(t *testing.T) {
	f := newFakeRoot(t)
	require.NoError(t, os.Symlink("/home", filepath.Join(f.dir, "srv/homelink")))
	sp, err := f.build(WithAddedVolume("/srv/homelink:/x"))
	require.NoError(t, err)
	got := findingOf(sp.Check(), rule.ContainerSensitiveMounts)
	assert.Equal(t, rule.StatusPass, got.Status, "%s %s", got.Reason, got.Detail)
}

// Options dockerd accepts on a -v bind given through WithHostConfig were
// dropped before the rules saw them, so a writable /etc passed.
func TestBindOptionsDockerAcceptsAreJudged(t *testing.T) {
	f := newFakeRoot(t)
	for _, b := range []string{"/etc:/x:delegated", "/etc:/x:cached", "/etc:/x:consistent", "/etc:/x:rw,z", "/etc:/x:Z",
		"/etc:/x:rslave", "/etc:/x:rw,rprivate,delegated,z", "/srv/etclink:/x:private", "/etc:/x:"} {
		_, err := f.build(WithHostConfig(func(hc *container.HostConfig) { hc.Binds = append(hc.Binds, b) }))
		assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, b)
		_, err = f.build(WithAddedVolume(b))
		assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, "WithAddedVolume(%s)", b)
	}
	// A bind the parser refuses is refused, never dropped.
	for _, b := range []string{"/etc:/x:ro,,z", "/etc:/x:ro,rw", "/etc:/x:nocopy", "/etc:/x:exec", "/etc:/x:y:z", "relative/etc:/x", ":/x", "/etc:rel"} {
		_, err := f.build(WithHostConfig(func(hc *container.HostConfig) { hc.Binds = append(hc.Binds, b) }))
		require.Error(t, err, b)
		assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, b)
	}
}

// --mount type=bind without readonly, and a local volume whose driver
// options bind a host directory, reach the container as much as -v does.
func TestMountsAPIAndBindVolumesAreJudged(t *testing.T) {
	f := newFakeRoot(t)
	cases := map[string]mount.Mount{
		"bind":             {Type: mount.TypeBind, Source: "/srv/etclink", Target: "/x"},
		"bind rslave":      {Type: mount.TypeBind, Source: "/etc", Target: "/x", BindOptions: &mount.BindOptions{Propagation: mount.PropagationRSlave}},
		"volume o=bind":    {Type: mount.TypeVolume, Source: "etcvol", Target: "/x", VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{"type": "none", "o": "bind", "device": "/etc"}}}},
		"volume o=rbind":   {Type: mount.TypeVolume, Source: "etcvol", Target: "/x", VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Options: map[string]string{"o": "rbind,rw", "device": "/srv/etclink"}}}},
		"anonymous o=bind": {Type: mount.TypeVolume, Target: "/x", VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{"type": "none", "o": "bind", "device": "/bin"}}}},
	}
	for name, m := range cases {
		_, err := f.build(WithHostConfig(func(hc *container.HostConfig) { hc.Mounts = append(hc.Mounts, m) }))
		assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, name)

		// What dockerd records: the bind as given, or the volume's own directory.
		mp := container.MountPoint{Type: m.Type, Source: m.Source, Destination: m.Target, RW: true}
		if m.Type == mount.TypeVolume {
			mp = container.MountPoint{Type: m.Type, Name: m.Source, Source: "/var/lib/docker/volumes/etcvol/_data", Driver: "local", Destination: m.Target, RW: true}
		}
		c := &container.InspectResponse{Name: "/x", Config: &container.Config{}, HostConfig: &container.HostConfig{Mounts: []mount.Mount{m}}, Mounts: []container.MountPoint{mp}}
		assert.Equal(t, rule.StatusFail, findingOf(Evaluate(SubjectFromInspect(c, f.host(), nil)), rule.ContainerSensitiveMounts).Status, "audit %s", name)
	}
	ro := mount.Mount{Type: mount.TypeVolume, Source: "etcvol", Target: "/x", VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{"type": "none", "o": "bind,ro", "device": "/etc"}}}}
	_, err := f.build(WithHostConfig(func(hc *container.HostConfig) { hc.Mounts = append(hc.Mounts, ro) }))
	assert.NotContains(t, violationIDs(err), rule.ContainerSensitiveMounts, "o=bind,ro is read-only")
}

// Engine sockets are known by identity (device and inode), not spelling.
func TestEngineSocketsByIdentity(t *testing.T) {
	f := newFakeRoot(t)
	for _, src := range []string{
		"/run/docker.sock", "/var/run/docker.sock", "/srv/socklink", "/srv/hard.sock",
		"/run", "/var/run", "/srv/runlink", "/",
		"/srv/api/custom.sock", "/srv/customlink", "/srv/api", // DOCKER_HOST's socket, given in SocketPaths
		"/run/user/1000/docker.sock", "/run/user/1000", "/run/containerd", // rootless dockerd, containerd
	} {
		_, err := f.build(WithAddedVolume(src + ":/s:ro"))
		assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket, "Build of %s", src)
		got := findingOf(f.audited(src, false), rule.ContainerDockerSocket)
		assert.Equal(t, rule.StatusFail, got.Status, "audit of %s: %s", src, got.Detail)
	}
	for _, src := range []string{"/srv/data", "/run/user"} {
		_, err := f.build(WithAddedVolume(src + ":/s:ro"))
		if src == "/run/user" {
			assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket, "holds a rootless socket")
			continue
		}
		assert.NoError(t, err, src)
	}
	// Without SocketPaths, the custom socket is not known: nothing says a
	// daemon listens there.
	h := f.host()
	h.SocketPaths = nil
	sp, err := Build(testImage, append(hardenedOpts(), WithHostFacts(h), WithAddedVolume("/srv/data:/s:ro"))...)
	require.NoError(t, err)
	assert.Equal(t, rule.StatusPass, findingOf(sp.Check(), rule.ContainerDockerSocket).Status)
}

// A bind mount of the directory holding the socket shares its device and
// inode: it is the same directory, whatever its name.
func TestBindMountedAliasOfSocketDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("bind mounts need root")
	}
	f := newFakeRoot(t)
	alias := filepath.Join(f.dir, "srv/runalias")
	require.NoError(t, os.Mkdir(alias, 0o755))
	require.NoError(t, unix.Mount(filepath.Join(f.dir, "run"), alias, "", unix.MS_BIND, ""))
	t.Cleanup(func() { _ = unix.Unmount(alias, unix.MNT_DETACH) })
	_, err := f.build(WithAddedVolume("/srv/runalias:/s:ro"))
	assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket)
	assert.Equal(t, rule.StatusFail, findingOf(f.audited("/srv/runalias", false), rule.ContainerDockerSocket).Status)
}

// On a remote daemon nothing can be resolved: sources are judged as
// written, the /var/run and /usr merge aliases folded, and the method says so.
func TestRemoteDaemonJudgesAsWritten(t *testing.T) {
	for _, c := range []struct {
		bind string
		id   rule.ID
	}{
		{"/etc:/x", rule.ContainerSensitiveMounts},
		{"/bin:/x", rule.ContainerSensitiveMounts},
		{"/var/run/docker.sock:/s:ro", rule.ContainerDockerSocket},
		{"/run/user/1000/docker.sock:/s:ro", rule.ContainerDockerSocket},
		{"/run/user/1000/podman/podman.sock:/s:ro", rule.ContainerDockerSocket},
		{"/run/podman:/s:ro", rule.ContainerDockerSocket},
	} {
		_, err := Build(testImage, append(hardenedOpts(), WithAddedVolume(c.bind))...)
		assert.Contains(t, violationIDs(err), c.id, c.bind)
	}
	sp, err := Build(testImage, append(hardenedOpts(), WithAddedVolume("/srv/data:/x"))...)
	require.NoError(t, err)
	for _, id := range []rule.ID{rule.ContainerSensitiveMounts, rule.ContainerDockerSocket} {
		got := findingOf(sp.Check(), id)
		assert.Equal(t, rule.StatusPass, got.Status)
		assert.Equal(t, "as-written", got.Method, id)
	}
}

func TestEngineSocketPathsExpandsGlobsInTheRoot(t *testing.T) {
	f := newFakeRoot(t)
	got := EngineSocketPaths(f.dir)
	assert.Contains(t, got, "/run/docker.sock")
	assert.Contains(t, got, "/run/containerd/containerd.sock")
	assert.Contains(t, got, "/run/podman/podman.sock")
	assert.Contains(t, got, "/run/user/1000/docker.sock")
	for _, p := range got {
		assert.False(t, strings.ContainsAny(p, "*?["), p)
	}
}

func TestParseBindFollowsDockersSyntax(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Mount
	}{
		{"/srv/../etc/:/x/../y/:ro,rslave", Mount{Type: mount.TypeBind, Source: "/etc", Destination: "/y", RW: false, Propagation: mount.PropagationRSlave}},
		{"/etc:/x:delegated", Mount{Type: mount.TypeBind, Source: "/etc", Destination: "/x", RW: true}},
		{"/etc:/x:Z,rw,shared,cached", Mount{Type: mount.TypeBind, Source: "/etc", Destination: "/x", RW: true, Propagation: mount.PropagationShared}},
		{"data:/x:nocopy,ro", Mount{Type: mount.TypeVolume, Source: "data", Destination: "/x", RW: false}},
		{"/anon", Mount{Type: mount.TypeVolume, Destination: "/anon", RW: true}},
		{"/etc:/x:", Mount{Type: mount.TypeBind, Source: "/etc", Destination: "/x", RW: true}},
	} {
		got, err := parseBind(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, in := range []string{"", ":/x", "/etc:/", "/etc:/x:ro,", "/etc:/x:ro,ro", "/etc:/x:z,Z", "/etc:/x:shared,slave",
		"/etc:/x:nocopy", "data:/x:rslave", "/etc:/x:a:b", "/etc:rw", "/etc:x", "/etc:/x:exec", "data:/x:cached,delegated", "/e\x00tc:/x"} {
		_, err := parseBind(in)
		assert.Error(t, err, "%q must be refused", in)
	}
}

// A named volume the local driver binds to a host path is that path: the
// builder reads the driver's options under the daemon's data root.
func TestNamedBindVolumeIsJudgedByItsDevice(t *testing.T) {
	f := newFakeRoot(t)
	vol := filepath.Join(f.dir, "var/lib/docker/volumes/etcvol")
	require.NoError(t, os.MkdirAll(filepath.Join(vol, "_data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(vol, "opts.json"), []byte(`{"MountType":"none","MountOpts":"bind","MountDevice":"/srv/etclink"}`), 0o600))
	h := f.host()
	h.DataRoot = "/var/lib/docker"
	_, err := Build(testImage, append(hardenedOpts(), WithHostFacts(h), WithAddedVolume("etcvol:/x"))...)
	assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts)
	assert.ErrorContains(t, err, "resolves to /etc")
	_, err = Build(testImage, append(hardenedOpts(), WithHostFacts(h), WithAddedVolume("othervol:/x"))...)
	assert.NoError(t, err, "a volume without options is the driver's own directory")

	// The audit finds the same options beside the volume's _data.
	c := &container.InspectResponse{Name: "/v", Config: &container.Config{}, HostConfig: &container.HostConfig{},
		Mounts: []container.MountPoint{{Type: mount.TypeVolume, Name: "etcvol", Driver: "local", Source: "/var/lib/docker/volumes/etcvol/_data", Destination: "/x", RW: true}}}
	assert.Equal(t, rule.StatusFail, findingOf(Evaluate(SubjectFromInspect(c, h, nil)), rule.ContainerSensitiveMounts).Status)
}

// Mounts inherited with VolumesFrom are not known before create: the
// builder refuses rather than pass them unseen.
func TestVolumesFromIsRefusedByTheBuilder(t *testing.T) {
	_, err := Build(testImage, append(hardenedOpts(), WithHostConfig(func(hc *container.HostConfig) { hc.VolumesFrom = []string{"other:ro"} }))...)
	assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts)
	assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket)
}
