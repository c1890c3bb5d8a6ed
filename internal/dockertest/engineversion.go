package dockertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

var engineVer struct {
	once sync.Once
	ver  string
	err  error
}

// EngineVersion returns the version of the dockerd throwaway daemons run
// (the one under SAFEDOCK_ENGINE_PREFIX when set), as its --version prints
// it: "20.10.24+dfsg1", "28.5.2+dfsg4". It skips the test (or fails it
// under SAFEDOCK_REQUIRE_DOCKER=1) when there is no dockerd.
func EngineVersion(t testing.TB) string {
	t.Helper()
	requireDockerd(t)
	engineVer.once.Do(func() {
		bin, err := dockerdPath()
		if err != nil {
			engineVer.err = err
			return
		}
		cmd := exec.Command(bin, "--version")
		cmd.Env = engineEnv()
		out, err := cmd.Output()
		if err != nil {
			engineVer.err = fmt.Errorf("running %s --version: %w", bin, err)
			return
		}
		engineVer.ver, engineVer.err = parseDockerdVersion(string(out))
	})
	if engineVer.err != nil {
		t.Fatal(engineVer.err)
	}
	return engineVer.ver
}

// parseDockerdVersion reads "Docker version 28.5.2+dfsg4, build 3ef3c07".
func parseDockerdVersion(out string) (string, error) {
	f := strings.Fields(out)
	if len(f) < 3 || f[0] != "Docker" || f[1] != "version" {
		return "", fmt.Errorf("reading dockerd --version: unexpected output %q", strings.TrimSpace(out))
	}
	return strings.TrimSuffix(f[2], ","), nil
}

// ContainerResult is what happened to the one container BootConfigContainer
// runs on a daemon that started.
type ContainerResult struct {
	// Ran is set when the daemon started and a container was tried.
	Ran bool
	// Failed is set when creating or starting the container failed.
	Failed bool
	// Error is the API's error when Failed.
	Error string
}

// BootConfigContainer is BootConfig that, when dockerd starts, builds the
// probe image (FROM scratch) on that daemon, creates and starts one
// container from it, and reports whether that failed, before stopping the
// daemon. Failing to build the image fails the test: the image build runs
// no container, so a config that breaks it is not what is measured here.
func BootConfigContainer(t testing.TB, config []byte, args ...string) (BootResult, ContainerResult) {
	t.Helper()
	d, res, err := boot(t, DaemonOptions{Config: config, Args: args, Timeout: 90 * time.Second})
	if err != nil {
		t.Fatalf("booting dockerd: %v", err)
	}
	if d == nil {
		return res, ContainerResult{}
	}
	defer func() {
		res.Log = d.LogText()
		d.cleanup()
	}()
	cr := runOne(t, d.Client)
	return res, cr
}

func runOne(t testing.TB, cli *client.Client) ContainerResult {
	t.Helper()
	bin, err := os.ReadFile(ProbeBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ref := Name("probe") + ":latest"
	files := map[string][]byte{
		"Dockerfile": []byte("FROM scratch\nCOPY probe /probe\nENTRYPOINT [\"/probe\"]\nCMD [\"status\"]\n"),
		"probe":      bin,
	}
	if _, err := BuildImage(ctx, cli, ref, files); err != nil {
		t.Fatalf("building the probe image on the throwaway daemon: %v", err)
	}
	cr := ContainerResult{Ran: true}
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: ref}, Name: Name("boot")})
	if err != nil {
		cr.Failed, cr.Error = true, "create: "+err.Error()
		return cr
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		cr.Failed, cr.Error = true, "start: "+err.Error()
	}
	return cr
}
