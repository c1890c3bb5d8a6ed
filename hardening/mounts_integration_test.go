package hardening_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// localFacts are the host facts Run itself computes for cli's daemon.
func localFacts(t *testing.T, cli *client.Client) hardening.HostFacts {
	t.Helper()
	info, err := cli.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	h := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions).ForDaemon(cli, info.Info)
	require.True(t, h.Local, "the daemon at %s is on this machine", cli.DaemonHost())
	return h
}

// createOnly creates (never starts) a container with hc and removes it by
// ID when the test ends; it returns the container's name.
func createOnly(t *testing.T, cli *client.Client, image string, hc *container.HostConfig) string {
	t.Helper()
	name := dockertest.Name("mnt")
	if hc.NetworkMode == "" {
		hc.NetworkMode = "none"
	}
	res, err := cli.ContainerCreate(context.Background(), client.ContainerCreateOptions{
		Name: name, Config: &container.Config{Image: image, Cmd: []string{"status"}}, HostConfig: hc,
	})
	require.NoError(t, err, "creating %s with %+v", name, hc)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
	return name
}

// auditFinding runs hardening.Audit with the facts and returns the
// finding of rule id for the named container.
func auditFinding(t *testing.T, rep rule.Report, name string, id rule.ID) rule.Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Target == "container:"+name && f.Rule == id {
			return f
		}
	}
	t.Fatalf("no %s finding for %s", id, name)
	return rule.Finding{}
}

func tempHostDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "sdmi")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestRealDaemonSensitiveMountsAreResolved creates, on the real daemon,
// containers whose host path is /etc (or /usr/bin) in disguise, audits them
// and tries to Run the same: every one fails 5.6 in the audit and is
// refused by Run with a *rule.Violation, creating nothing.
func TestRealDaemonSensitiveMountsAreResolved(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{User: "65534:65534"})
	ctx := context.Background()
	dir := tempHostDir(t)
	etclink := filepath.Join(dir, "etclink")
	require.NoError(t, os.Symlink("/etc", etclink))

	vol := dockertest.Name("etcvol")
	_, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: vol, Driver: "local",
		DriverOpts: map[string]string{"type": "none", "o": "bind", "device": "/etc"}})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = cli.VolumeRemove(context.Background(), vol, client.VolumeRemoveOptions{Force: true}) })

	bindVolume := mount.Mount{Type: mount.TypeVolume, Target: "/x", VolumeOptions: &mount.VolumeOptions{
		DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{"type": "none", "o": "bind", "device": "/etc"}}}}
	type tc struct {
		hc  *container.HostConfig
		opt hardening.Option // the same through the builder; nil: the builder cannot see it
	}
	cases := map[string]tc{
		"symlink to /etc": {&container.HostConfig{Binds: []string{etclink + ":/x"}}, hardening.WithAddedVolume(etclink + ":/x")},
		"/etc delegated":  {&container.HostConfig{Binds: []string{"/etc:/x:delegated"}}, hardening.WithHostConfig(func(hc *container.HostConfig) { hc.Binds = append(hc.Binds, "/etc:/x:delegated") })},
		"/etc rw,z":       {&container.HostConfig{Binds: []string{"/etc:/x:rw,z"}}, hardening.WithAddedVolume("/etc:/x:rw,z")},
		"--mount bind": {&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeBind, Source: "/etc", Target: "/x"}}}, hardening.WithHostConfig(func(hc *container.HostConfig) {
			hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeBind, Source: "/etc", Target: "/x"})
		})},
		"--mount volume o=bind device=/etc": {&container.HostConfig{Mounts: []mount.Mount{bindVolume}}, hardening.WithHostConfig(func(hc *container.HostConfig) { hc.Mounts = append(hc.Mounts, bindVolume) })},
		"named volume o=bind device=/etc":   {&container.HostConfig{Binds: []string{vol + ":/x"}}, hardening.WithAddedVolume(vol + ":/x")},
	}
	if l, _ := os.Readlink("/bin"); l == "usr/bin" {
		cases["/bin on merged /usr"] = tc{&container.HostConfig{Binds: []string{"/bin:/x"}}, hardening.WithAddedVolume("/bin:/x")}
	} else {
		t.Logf("/bin is not a link to usr/bin here (%q): the merged-/usr case is covered by the fixtures only", l)
	}
	names := map[string]string{}
	for c, x := range cases {
		names[c] = createOnly(t, cli, img.ID, x.hc)
	}
	facts := localFacts(t, cli)
	rep, err := hardening.Audit(ctx, cli, hardening.AuditOptions{All: true, Host: &facts})
	require.NoError(t, err)
	for c, name := range names {
		f := auditFinding(t, rep, name, rule.ContainerSensitiveMounts)
		assert.Equal(t, rule.StatusFail, f.Status, "%s: %s (%s)", c, f.Reason, f.Detail)
		assert.Equal(t, hardening.MethodResolved, f.Method, c)
		t.Logf("audit %s: %s %s [%s]", c, f.Status, f.Detail, f.Method)
	}
	// dockerd records the symlink, not what it leads to: judged as
	// written, the disguise would pass.
	ins, err := cli.ContainerInspect(ctx, names["symlink to /etc"], client.ContainerInspectOptions{})
	require.NoError(t, err)
	require.Len(t, ins.Container.Mounts, 1)
	assert.Equal(t, etclink, ins.Container.Mounts[0].Source, "inspect's Source is the path as given")

	for c, x := range cases {
		if x.opt == nil {
			continue
		}
		name := dockertest.Name("refused")
		_, err := hardening.Run(ctx, cli, img.Ref, hardening.WithName(name), hardening.WithNetwork("none"), x.opt)
		var v *rule.Violation
		require.ErrorAs(t, err, &v, c)
		assert.Contains(t, violationRules(err), rule.ContainerSensitiveMounts, "%s: %v", c, err)
		_, ierr := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		assert.True(t, cerrdefs.IsNotFound(ierr), "%s: a refused launch creates nothing: %v", c, ierr)
	}
}

// mountOf reads the kernel's mountinfo of the container's process and
// returns the root (the path within its filesystem) and options of the
// mount at target.
func mountOf(t *testing.T, pid int, target string) (root, opts string) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	require.NoError(t, err)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 5 && f[4] == target {
			root, opts = f[3], f[5]
		}
	}
	require.NotEmpty(t, root, "no mount at %s in the container:\n%s", target, b)
	return root, opts
}

// TestSymlinkedBindIsWhatTheKernelMounts shows what the kernel did with a
// bind whose source is a symlink to /etc: the container's mount at /x is
// the host's /etc (same inode; mountinfo root /etc), read-only when asked,
// and writable when the rule is waived. The audit names /etc in both.
func TestSymlinkedBindIsWhatTheKernelMounts(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{User: "65534:65534", NoHealthcheck: true})
	ctx := context.Background()
	dir := tempHostDir(t)
	etclink := filepath.Join(dir, "etclink")
	require.NoError(t, os.Symlink("/etc", etclink))
	var etc unix.Stat_t
	require.NoError(t, unix.Stat("/etc", &etc))

	for _, c := range []struct {
		mode string
		opts []hardening.Option
		rw   bool
	}{
		{"ro", []hardening.Option{hardening.WithAddedVolume(etclink + ":/x:ro")}, false},
		{"rw", []hardening.Option{hardening.WithAddedVolume(etclink + ":/x"), hardening.Waive(rule.ContainerSensitiveMounts, "test: prove what the kernel mounts")}, true},
	} {
		opts := append([]hardening.Option{hardening.WithNetwork("none"), hardening.WithCmd("sleep", "60")}, c.opts...)
		ctr, err := hardening.Run(ctx, cli, img.Ref, opts...)
		require.NoError(t, err, c.mode)
		dockertest.RemoveContainerOnCleanup(t, cli, ctr.ID)
		ins, err := cli.ContainerInspect(ctx, ctr.ID, client.ContainerInspectOptions{})
		require.NoError(t, err)
		require.True(t, ins.Container.State.Running, c.mode)
		pid := ins.Container.State.Pid

		root, mopts := mountOf(t, pid, "/x")
		t.Logf("%s: container %s mountinfo /x: root=%s opts=%s", c.mode, ctr.ID[:12], root, mopts)
		assert.Equal(t, "/etc", root, "the kernel mounted the symlink's target")
		assert.Equal(t, c.rw, strings.HasPrefix(mopts, "rw"), "mount options %s", mopts)
		var x unix.Stat_t
		require.NoError(t, unix.Stat(fmt.Sprintf("/proc/%d/root/x", pid), &x))
		assert.Equal(t, etc.Ino, x.Ino, "/x in the container is the host's /etc inode")
		assert.Equal(t, etc.Dev, x.Dev)

		facts := localFacts(t, cli)
		s := hardening.SubjectFromInspect(&ins.Container, facts, nil)
		var f rule.Finding
		for _, g := range hardening.Evaluate(s) {
			if g.Rule == rule.ContainerSensitiveMounts {
				f = g
			}
		}
		assert.Contains(t, f.Detail, "resolves to /etc", c.mode)
		want := rule.StatusPass
		if c.rw {
			want = rule.StatusWaived
		}
		assert.Equal(t, want, f.Status, "%s: %s", c.mode, f.Detail)
	}
}

// probeStatus starts the container, waits for it and returns what the
// probe saw inside the kernel.
func probeStatus(t *testing.T, cli *client.Client, id string) dockertest.ProbeStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	_, err := cli.ContainerStart(ctx, id, client.ContainerStartOptions{})
	require.NoError(t, err)
	select {
	case <-w.Result:
	case err := <-w.Error:
		t.Fatalf("waiting for %s: %v", id, err)
	}
	logs, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	require.NoError(t, err)
	defer logs.Close()
	var out, errOut bytes.Buffer
	_, err = stdcopy.StdCopy(&out, &errOut, logs)
	require.NoError(t, err)
	var st dockertest.ProbeStatus
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(out.Bytes()), &st), "probe said %q %q", out.String(), errOut.String())
	return st
}

// TestThrowawayDaemonSocketsAndDefaults uses one throwaway dockerd started
// with daemon.json {"no-new-privileges": true}. Its socket is at a path no
// default list knows (the DOCKER_HOST case).
func TestThrowawayDaemonSocketsAndDefaults(t *testing.T) {
	cli := dockertest.Client(t)
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{Config: []byte(`{"no-new-privileges": true}`)})
	sock := strings.TrimPrefix(d.Host, "unix://")
	ctx := context.Background()

	t.Run("its socket mounted into a system-daemon container fails 5.32", func(t *testing.T) {
		img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{User: "65534:65534"})
		dir := tempHostDir(t)
		link := filepath.Join(dir, "docker.link")
		require.NoError(t, os.Symlink("/var/run/docker.sock", link))
		names := map[string]string{
			"DOCKER_HOST socket":              createOnly(t, cli, img.ID, &container.HostConfig{Binds: []string{sock + ":/s"}}),
			"directory of DOCKER_HOST socket": createOnly(t, cli, img.ID, &container.HostConfig{Binds: []string{filepath.Dir(sock) + ":/d:ro"}}),
			"symlink to /var/run/docker.sock": createOnly(t, cli, img.ID, &container.HostConfig{Binds: []string{link + ":/s:ro"}}),
			"/run":                            createOnly(t, cli, img.ID, &container.HostConfig{Binds: []string{"/run:/r:ro"}}),
		}
		facts := localFacts(t, cli)
		facts.SocketPaths = append(facts.SocketPaths, d.Host) // what the whole-host audit passes for DOCKER_HOST
		rep, err := hardening.Audit(ctx, cli, hardening.AuditOptions{All: true, Host: &facts})
		require.NoError(t, err)
		for c, name := range names {
			f := auditFinding(t, rep, name, rule.ContainerDockerSocket)
			assert.Equal(t, rule.StatusFail, f.Status, "%s: %s (%s)", c, f.Reason, f.Detail)
			t.Logf("audit %s: %s %s", c, f.Status, f.Detail)
		}
		// HostFunc is honoured the same way.
		rep, err = hardening.Audit(ctx, cli, hardening.AuditOptions{All: true, HostFunc: func() (hardening.HostFacts, error) { return facts, nil }})
		require.NoError(t, err)
		for c, name := range names {
			assert.Equal(t, rule.StatusFail, auditFinding(t, rep, name, rule.ContainerDockerSocket).Status, "HostFunc: %s", c)
		}
		// The custom socket is only known because SocketPaths names it.
		without := localFacts(t, cli)
		rep, err = hardening.Audit(ctx, cli, hardening.AuditOptions{All: true, Host: &without})
		require.NoError(t, err)
		assert.Equal(t, rule.StatusPass, auditFinding(t, rep, names["DOCKER_HOST socket"], rule.ContainerDockerSocket).Status)
	})

	imgD := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{NoHealthcheck: true})

	t.Run("Run refuses the socket of the daemon it talks to", func(t *testing.T) {
		name := dockertest.Name("sock")
		_, err := hardening.Run(ctx, d.Client, imgD.Ref, hardening.WithName(name), hardening.WithNetwork("none"),
			hardening.WithNonRootUser(), hardening.WithAddedVolume(sock+":/var/run/docker.sock:ro"))
		var v *rule.Violation
		require.ErrorAs(t, err, &v)
		assert.Contains(t, violationRules(err), rule.ContainerDockerSocket, "%v", err)
		_, ierr := d.Client.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		assert.True(t, cerrdefs.IsNotFound(ierr), "nothing created: %v", ierr)
	})

	t.Run("daemon-wide no-new-privileges is what the kernel applies", func(t *testing.T) {
		info, err := d.Client.Info(ctx, client.InfoOptions{})
		require.NoError(t, err)
		t.Logf("throwaway dockerd %s SecurityOptions=%v", info.Info.ServerVersion, info.Info.SecurityOptions)

		create := func(opts ...string) (string, string) {
			name := dockertest.Name("nnp")
			res, err := d.Client.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
				Config:     &container.Config{Image: imgD.ID, Cmd: []string{"status"}},
				HostConfig: &container.HostConfig{NetworkMode: "none", SecurityOpt: opts}})
			require.NoError(t, err)
			dockertest.RemoveContainerOnCleanup(t, d.Client, res.ID)
			return name, res.ID
		}
		plain, plainID := create()
		off, offID := create("no-new-privileges:false")
		assert.Equal(t, "1", probeStatus(t, d.Client, plainID).NoNewPrivs, "a plain container on this daemon has no_new_privs")
		assert.Equal(t, "0", probeStatus(t, d.Client, offID).NoNewPrivs, "no-new-privileges:false overrides the daemon")

		facts := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)
		facts.NoNewPrivileges = true // daemon.json, as the whole-host audit reads it
		rep, err := hardening.Audit(ctx, d.Client, hardening.AuditOptions{All: true, Host: &facts})
		require.NoError(t, err)
		f := auditFinding(t, rep, plain, rule.ContainerNoNewPrivileges)
		assert.Equal(t, rule.StatusPass, f.Status, f.Reason)
		assert.Equal(t, hardening.MethodDaemonDefault, f.Method)
		f = auditFinding(t, rep, off, rule.ContainerNoNewPrivileges)
		assert.Equal(t, rule.StatusFail, f.Status, f.Reason)
		assert.Contains(t, f.Detail, "overrides the daemon")

		// Without the daemon's setting the plain container is (wrongly)
		// failed: the fact is what makes the verdict right.
		facts.NoNewPrivileges = false
		rep, err = hardening.Audit(ctx, d.Client, hardening.AuditOptions{All: true, Host: &facts})
		require.NoError(t, err)
		if !strings.Contains(strings.Join(info.Info.SecurityOptions, ","), "no-new-privileges") {
			assert.Equal(t, rule.StatusFail, auditFinding(t, rep, plain, rule.ContainerNoNewPrivileges).Status)
		}
	})
}
