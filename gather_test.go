package safedock

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// openCounter counts the opens of files (inotify IN_OPEN, which the kernel
// raises for every open for reading or writing by any code in the process,
// whichever package or path did it).
type openCounter struct {
	fd    int
	paths map[int32]string
}

func newOpenCounter(t *testing.T, paths ...string) *openCounter {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	c := &openCounter{fd: fd, paths: map[int32]string{}}
	for _, p := range paths {
		wd, err := unix.InotifyAddWatch(fd, p, unix.IN_OPEN)
		require.NoError(t, err, p)
		c.paths[int32(wd)] = p
	}
	return c
}

// counts drains the events so far: opens by path.
func (c *openCounter) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range c.paths {
		out[p] = 0
	}
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(c.fd, buf)
		if errors.Is(err, unix.EAGAIN) {
			return out
		}
		require.NoError(t, err)
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			wd := int32(binary.NativeEndian.Uint32(buf[off:]))
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
			if mask&unix.IN_OPEN != 0 {
				out[c.paths[wd]]++
			}
			off += unix.SizeofInotifyEvent + nameLen
		}
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, data := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(data), 0o644))
	}
	return root
}

// The whole-host audit opens daemon.json once, and /etc/passwd and
// /etc/group once each, however many sections need them (host, auditd,
// daemon, files), and every section judges those same bytes.
func TestAuditOpensEachHostInputOnce(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock") // no daemon: /info fails at once
	root := writeTree(t, map[string]string{
		"etc/docker/daemon.json": `{"icc": false, "no-new-privileges": true, "data-root": "/srv/docker"}`,
		"etc/passwd":             "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
		"etc/group":              "root:x:0:\ndocker:x:999:alice\n",
	})
	daemonJSON := filepath.Join(root, "etc/docker/daemon.json")
	passwd, group := filepath.Join(root, "etc/passwd"), filepath.Join(root, "etc/group")
	oc := newOpenCounter(t, daemonJSON, passwd, group)

	local := false
	rep, err := Audit(context.Background(), Options{Root: root, Remote: &local, Only: []Section{SectionHost, SectionAuditd, SectionDaemon, SectionFiles}})
	require.ErrorIs(t, err, rule.ErrIncomplete, "the engine checks could not run without a daemon")
	for _, s := range rep.Sections {
		if s.Section != SectionHost {
			assert.Empty(t, s.Error, s.Section)
		}
	}
	assert.Equal(t, map[string]int{daemonJSON: 1, passwd: 1, group: 1}, oc.counts(t))

	// The sections judged the file that was read: the daemon section saw
	// icc=false, the files section found it.
	seen := map[rule.ID]rule.Finding{}
	for _, f := range rep.Findings {
		seen[f.Rule] = f
	}
	require.Contains(t, seen, rule.ID("daemon.icc"))
	assert.Equal(t, rule.StatusPass, seen["daemon.icc"].Status, "%+v", seen["daemon.icc"])
	require.Contains(t, seen, rule.ID("file.configuration-readable"))
	assert.Equal(t, rule.StatusPass, seen["file.configuration-readable"].Status)
}

// Gathering goes through the root: a daemon.json that is a symlink leading
// out of --root is resolved inside it, never to the file outside.
func TestGatherStaysInsideRoot(t *testing.T) {
	outside := writeTree(t, map[string]string{"daemon.json": `{"icc": true}`})
	root := writeTree(t, map[string]string{"etc/passwd": "root:x:0:0::/root:/bin/sh\n"})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc/docker"), 0o755))
	// An absolute link: inside the root it names <root>/<outside>/daemon.json, which does not exist.
	require.NoError(t, os.Symlink(filepath.Join(outside, "daemon.json"), filepath.Join(root, "etc/docker/daemon.json")))
	oc := newOpenCounter(t, filepath.Join(outside, "daemon.json"))
	in, err := gatherHost(root, "", nil)
	require.NoError(t, err)
	assert.Nil(t, in.Facts.DaemonJSON)
	assert.Equal(t, 0, oc.counts(t)[filepath.Join(outside, "daemon.json")], "the file outside the root was never opened")
}

func TestContainerFactsFromDaemonJSONAndFlags(t *testing.T) {
	for name, c := range map[string]struct {
		json    string
		args    []string
		nnp     bool
		seccomp string
	}{
		"none":             {`{}`, nil, false, ""},
		"daemon.json":      {`{"no-new-privileges": true, "seccomp-profile": "/etc/docker/seccomp.json"}`, nil, true, "/etc/docker/seccomp.json"},
		"flag":             {`{}`, []string{"--no-new-privileges", "--seccomp-profile", "/p.json"}, true, "/p.json"},
		"flag =":           {`{}`, []string{"--no-new-privileges=true", "--seccomp-profile=/q.json"}, true, "/q.json"},
		"flag false wins":  {`{"no-new-privileges": true}`, []string{"--no-new-privileges=false"}, false, ""},
		"after -- ignored": {`{}`, []string{"--", "--no-new-privileges"}, false, ""},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, map[string]string{"etc/docker/daemon.json": c.json})
			in, err := gatherHost(root, "", nil)
			require.NoError(t, err)
			if c.args != nil {
				in.Facts.Daemon.Process = &hostfs.Process{Args: c.args}
			}
			assert.Equal(t, c.nnp, in.noNewPrivileges())
			assert.Equal(t, c.seccomp, in.seccompProfile())
		})
	}

	root := writeTree(t, map[string]string{"etc/docker/daemon.json": `{"hosts": ["unix:///run/custom.sock", "tcp://0.0.0.0:2376"], "containerd": "/run/ctrd.sock"}`})
	in, err := gatherHost(root, "", nil)
	require.NoError(t, err)
	h := in.containerFacts(hardening.HostFacts{Known: true}, "/var/run/other.sock", Engine{Kind: EngineDocker})
	assert.True(t, h.Known)
	assert.Equal(t, []string{"/run/ctrd.sock", "/run/custom.sock", "/var/run/other.sock"}, h.SocketPaths)
}

func TestAuditReturnsWhatFinishedWhenStopped(t *testing.T) {
	// A context already done: every section is reported, none as clean.
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	rep, err := Audit(ctx, Options{Only: []Section{SectionImages, SectionContainers}})
	require.ErrorIs(t, err, rule.ErrIncomplete)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Len(t, rep.Sections, 2)
	for _, s := range rep.Sections {
		assert.True(t, s.Incomplete, s.Section)
	}
}

// A waiver file entry waives a finding of any section, not only the
// containers' (no label needed): here daemon.icc on the root's daemon.json.
func TestWaiverFileAppliesToEverySection(t *testing.T) {
	root := writeTree(t, map[string]string{"etc/docker/daemon.json": `{}`})
	wf, err := rule.ParseWaivers([]byte("waivers:\n  - rule: daemon.icc\n    target: 'file:*daemon.json*'\n    reason: legacy links between containers\n    expires: 2099-01-01\n    approved-by: platform\n"), "w.yaml", Rules())
	require.NoError(t, err)
	local := false
	for _, c := range []struct {
		wf   *rule.WaiverFile
		want rule.Status
	}{{nil, rule.StatusFail}, {wf, rule.StatusWaived}} {
		rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Only: []Section{SectionDaemon}, Waivers: c.wf})
		var icc *rule.Finding
		for i, f := range rep.Findings {
			if f.Rule == "daemon.icc" {
				icc = &rep.Findings[i]
			}
		}
		require.NotNil(t, icc)
		assert.Equal(t, c.want, icc.Status, "%+v", icc)
		if c.wf != nil {
			assert.Contains(t, icc.Reason, "legacy links between containers")
			assert.True(t, icc.Waiver.Approved)
		}
	}
}
