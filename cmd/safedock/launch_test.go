package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
)

func TestRunUnderATakenNameKeepsTheExistingContainer(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	open := dockertest.Name("open")
	nres, err := cli.NetworkCreate(context.Background(), open, client.NetworkCreateOptions{Driver: "bridge"})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, nres.ID)

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"name conflict", []string{"--network", netName}, exitError},
		{"refused by a rule", []string{"--network", open}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := dockertest.Name("db")
			db := dockertest.StartForeign(t, cli, img.Ref, name)
			args := append(append([]string{"run", "-d", "--name", name, "-u", "65534"}, tc.args...), img.Ref, "sleep")
			code, _, errOut := invoke(args...)
			assert.Equal(t, tc.code, code, errOut)
			db.CheckUntouched(t, cli)
		})
	}
}

func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		sigs := make(chan os.Signal, 2)
		ctx, cancel := context.WithCancelCause(context.Background())
		var stderr bytes.Buffer
		exited := make(chan int, 1)
		go watchSignals(sigs, cancel, &stderr, func(c int) { exited <- c })
		setLeftover("container x may be left")
		sigs <- tc.sig
		<-ctx.Done()
		code, ok := interrupted(ctx)
		assert.True(t, ok)
		assert.Equal(t, tc.code, code, "the first %s cancels the command's context", tc.sig)
		select {
		case <-exited:
			t.Fatal("the first signal must not exit")
		case <-time.After(50 * time.Millisecond):
		}
		sigs <- tc.sig
		select {
		case c := <-exited:
			assert.Equal(t, tc.code, c, "a second %s exits at once", tc.sig)
		case <-time.After(5 * time.Second):
			t.Fatal("a second signal did not exit")
		}
		assert.Contains(t, stderr.String(), "container x may be left")
		setLeftover("")
	}
}

// TestRunOnAThrowawayDaemon: 8 parallel first "safedock run -d" share one
// isolated network; a frozen daemon makes "safedock run --timeout 10s" end
// in time with exit 3, leaving nothing.
func TestRunOnAThrowawayDaemon(t *testing.T) {
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	cli := d.Client
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	t.Setenv("DOCKER_HOST", d.Host)
	ctx := context.Background()

	t.Run("parallel first launches", func(t *testing.T) {
		const n = 8
		codes := make([]int, n)
		outs, errs := make([]string, n), make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { codes[i], outs[i], errs[i] = invoke("run", "-d", "-u", "65534", img.Ref, "sleep") })
		}
		wg.Wait()
		for i := range n {
			if id := strings.TrimSpace(outs[i]); id != "" {
				dockertest.RemoveContainerOnCleanup(t, cli, id)
			}
			assert.Equal(t, exitOK, codes[i], errs[i])
		}
		list, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("name", hardening.DefaultNetwork)})
		require.NoError(t, err)
		assert.Len(t, list.Items, 1, "exactly one %s network", hardening.DefaultNetwork)
		code, out, errOut := invoke("run", "-d", "-u", "65534", img.Ref, "sleep")
		assert.Equal(t, exitOK, code, "a later launch works: %s", errOut)
		require.Len(t, strings.TrimSpace(out), 64)
		dockertest.RemoveContainerOnCleanup(t, cli, strings.TrimSpace(out))
	})

	t.Run("signals end a real process stuck on a frozen daemon", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "safedock")
		build := exec.Command("go", "build", "-o", bin, ".")
		out, err := build.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.NoError(t, syscall.Kill(d.PID, syscall.SIGSTOP))
		defer func() { _ = syscall.Kill(d.PID, syscall.SIGCONT) }()
		for _, tc := range []struct {
			sig  syscall.Signal
			n    int
			code int
		}{{syscall.SIGINT, 1, 130}, {syscall.SIGTERM, 1, 143}, {syscall.SIGINT, 2, 130}} {
			cmd := exec.Command(bin, "run", "-d", "-u", "65534", img.Ref, "sleep")
			cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.Host)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			time.Sleep(time.Second) // stuck in its first daemon call
			start := time.Now()
			for range tc.n {
				require.NoError(t, cmd.Process.Signal(tc.sig))
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
			assert.Equal(t, tc.code, ee.ExitCode(), "%d x %s: %s", tc.n, tc.sig, stderr.String())
			assert.Less(t, time.Since(start), 5*time.Second, "ended at once")
			t.Logf("%d x %s: exit %d: %s", tc.n, tc.sig, ee.ExitCode(), strings.TrimSpace(stderr.String()))
		}
	})

	t.Run("frozen daemon", func(t *testing.T) {
		before, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
		require.NoError(t, err)
		require.NoError(t, syscall.Kill(d.PID, syscall.SIGSTOP))
		thawed := false
		thaw := func() {
			if !thawed {
				thawed = true
				_ = syscall.Kill(d.PID, syscall.SIGCONT)
			}
		}
		t.Cleanup(thaw)
		start := time.Now()
		code, _, errOut := invoke("run", "--timeout", "10s", "-d", "--name", dockertest.Name("frozen"), "-u", "65534", img.Ref, "sleep")
		took := time.Since(start)
		thaw()
		t.Logf("took %s: %s", took, errOut)
		assert.Less(t, took, 25*time.Second, "ended within 25 s")
		assert.Equal(t, exitError, code, "a timeout, not a usage error")
		assert.Contains(t, errOut, "the Docker daemon did not answer within 10s")

		// Whatever the daemon still had queued is done now: nothing new.
		time.Sleep(2 * time.Second)
		after, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
		require.NoError(t, err)
		assert.Len(t, after.Items, len(before.Items), "no container left by the timed-out launch")
	})
}
