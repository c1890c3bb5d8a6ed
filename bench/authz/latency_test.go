// Package authzbench measures what the safedock authorization plugin costs
// a Docker daemon: the added latency of an API request and of docker run
// -d, against a daemon without the plugin in the same run. It is a
// measurement, not a test: it runs only with SAFEDOCK_BENCH_AUTHZ=1 (see
// run.sh) and prints figures for RESULTS.md; it asserts nothing about time.
package authzbench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/authz"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

type lateFacts struct {
	f atomic.Pointer[authz.DockerFacts]
}

func (l *lateFacts) HostFacts(ctx context.Context) (hardening.HostFacts, error) {
	if f := l.f.Load(); f != nil {
		return f.HostFacts(ctx)
	}
	return hardening.HostFacts{}, fmt.Errorf("not started")
}
func (l *lateFacts) ImageFacts(ctx context.Context, ref string) (*hardening.ImageFacts, error) {
	if f := l.f.Load(); f != nil {
		return f.ImageFacts(ctx, ref)
	}
	return nil, fmt.Errorf("not started")
}
func (l *lateFacts) NetworkFacts(ctx context.Context, name string) (*hardening.NetworkFacts, error) {
	if f := l.f.Load(); f != nil {
		return f.NetworkFacts(ctx, name)
	}
	return nil, fmt.Errorf("not started")
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func TestMeasure(t *testing.T) {
	if os.Getenv("SAFEDOCK_BENCH_AUTHZ") != "1" {
		t.Skip("a measurement: run bench/authz/run.sh (SAFEDOCK_BENCH_AUTHZ=1)")
	}
	name := dockertest.Name("authzbench")
	sock := filepath.Join("/run/docker/plugins", name+".sock")
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		t.Fatal(err)
	}
	facts := &lateFacts{}
	pol, err := authz.NewPolicy(authz.WithFacts(facts, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(t.TempDir(), "decisions.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	srv, _ := authz.NewServer(pol, authz.NewDecisionLog(logf), nil)
	l, err := authz.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() { cancel(); <-done; os.Remove(sock) })

	// The floor: a plugin that allows everything without reading a byte,
	// to tell dockerd's own cost of asking a plugin from safedock's.
	stubName := dockertest.Name("authzstub")
	stubSock := filepath.Join("/run/docker/plugins", stubName+".sock")
	sl, err := authz.Listen(stubSock)
	if err != nil {
		t.Fatal(err)
	}
	stub := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", authz.ContentType)
		if r.URL.Path == authz.PathActivate {
			_, _ = w.Write([]byte(`{"Implements":["authz"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"Allow":true}`))
	})}
	go func() { _ = stub.Serve(sl) }()
	t.Cleanup(func() { stub.Close(); os.Remove(stubSock) })

	with := dockertest.StartDaemon(t, dockertest.DaemonOptions{Args: []string{"--authorization-plugin=" + name}})
	f, _ := authz.NewDockerFacts(with.Client)
	facts.f.Store(f)
	without := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	floor := dockertest.StartDaemon(t, dockertest.DaemonOptions{Args: []string{"--authorization-plugin=" + stubName}})

	bg := context.Background()
	ver, _ := with.Client.ServerVersion(bg, client.ServerVersionOptions{})
	t.Logf("engine: dockerd %s (API %s)", ver.Version, ver.APIVersion)

	// 1. One API request (GET /containers/json), interleaved.
	const n = 2000
	var dw, dwo, dfl []time.Duration
	for i := range 3 * n {
		d := []*dockertest.Daemon{with, without, floor}[i%3]
		start := time.Now()
		if _, err := d.Client.ContainerList(bg, client.ContainerListOptions{All: true}); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		switch i % 3 {
		case 0:
			dw = append(dw, el)
		case 1:
			dwo = append(dwo, el)
		default:
			dfl = append(dfl, el)
		}
	}
	t.Logf("GET /containers/json x%d: without plugin median %v p90 %v; with an allow-all stub plugin median %v p90 %v; with safedock median %v p90 %v",
		n, median(dwo), pct(dwo, 0.9), median(dfl), pct(dfl, 0.9), median(dw), pct(dw, 0.9))
	t.Logf("GET /containers/json x%d: added median: stub %v, safedock %v (safedock over the stub %v)",
		n, median(dfl)-median(dwo), median(dw)-median(dwo), median(dw)-median(dfl))

	// 2. docker run -d of a hardened container, interleaved.
	type target struct {
		d   *dockertest.Daemon
		img dockertest.Image
		net string
	}
	var targets []target
	for _, d := range []*dockertest.Daemon{with, without} {
		img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})
		nn := dockertest.Name("net")
		res, err := d.Client.NetworkCreate(bg, nn, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
		if err != nil {
			t.Fatal(err)
		}
		dockertest.RemoveNetworkOnCleanup(t, d.Client, res.ID)
		targets = append(targets, target{d, img, nn})
	}
	const runs = 60
	var rw, rwo []time.Duration
	before := countLines(t, logf.Name())
	for i := range 2 * runs {
		tg := targets[i%2]
		args := []string{"-H", tg.d.Host, "run", "-d", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges",
			"-u", "65534:65534", "--pids-limit", "256", "-m", "512m", "--cpu-shares", "512", "--restart", "on-failure:5",
			"--log-opt", "max-size=10m", "--network", tg.net, tg.img.ID, "sleep", "600"}
		cmd := exec.Command("docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir())
		start := time.Now()
		out, err := cmd.CombinedOutput()
		el := time.Since(start)
		if err != nil {
			t.Fatalf("docker run: %v\n%s", err, out)
		}
		dockertest.RemoveContainerOnCleanup(t, tg.d.Client, strings.TrimSpace(string(out)))
		if i%2 == 0 {
			rw = append(rw, el)
		} else {
			rwo = append(rwo, el)
		}
	}
	t.Logf("docker run -d x%d: without plugin median %v; with plugin median %v; ratio %.3f (min %v vs %v); %.1f API requests judged per docker run -d",
		runs, median(rwo), median(rw), float64(median(rw))/float64(median(rwo)), slices.Min(rwo), slices.Min(rw),
		float64(countLines(t, logf.Name())-before)/runs)
}

func countLines(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}
