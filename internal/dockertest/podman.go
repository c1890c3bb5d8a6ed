package dockertest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// RequirePodmanEnv is the environment variable that turns a missing Podman
// service into a test failure instead of a skip (SAFEDOCK_REQUIRE_DOCKER=1
// does too).
const RequirePodmanEnv = "SAFEDOCK_REQUIRE_PODMAN"

// PodmanHostEnv overrides where Podman tests find Podman's
// Docker-compatible API (default PodmanHost).
const PodmanHostEnv = "SAFEDOCK_PODMAN_HOST"

// PodmanHost is the socket scripts/podman-engine serves Podman's
// Docker-compatible API on.
const PodmanHost = "unix:///run/safedock-podman/podman.sock"

// PodmanComponent is the name Podman gives itself among /version's
// components.
const PodmanComponent = "Podman Engine"

// PodmanAddr returns the DOCKER_HOST of the Podman service the tests use:
// SAFEDOCK_PODMAN_HOST, else PodmanHost.
func PodmanAddr() string {
	if h := os.Getenv(PodmanHostEnv); h != "" {
		return h
	}
	return PodmanHost
}

// Podman returns a client for Podman's Docker-compatible API (see
// PodmanAddr and scripts/podman-engine), after checking that it answers and
// is Podman. Without one the test is skipped, or fails when
// SAFEDOCK_REQUIRE_PODMAN=1 or SAFEDOCK_REQUIRE_DOCKER=1.
func Podman(t testing.TB) *client.Client {
	t.Helper()
	addr := PodmanAddr()
	cli, err := client.New(client.WithHost(addr))
	if err != nil {
		podmanUnavailable(t, "podman client for %s: %v", addr, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		cli.Close()
		podmanUnavailable(t, "no Podman service answers at %s (start it with scripts/podman-engine start): %v", addr, err)
	}
	if !IsPodman(v) {
		cli.Close()
		podmanUnavailable(t, "the daemon at %s is not Podman (platform %q)", addr, v.Platform.Name)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// IsPodman reports whether a /version answer is Podman's.
func IsPodman(v client.ServerVersionResult) bool {
	for _, c := range v.Components {
		if c.Name == PodmanComponent {
			return true
		}
	}
	return false
}

// PodmanRequired reports whether Podman tests must not skip.
func PodmanRequired() bool { return os.Getenv(RequirePodmanEnv) == "1" || Required() }

func podmanUnavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if PodmanRequired() {
		t.Fatalf(format+" (%s=1 or %s=1, so this is a failure, not a skip)", append(args, RequirePodmanEnv, RequireEnv)...)
	}
	t.Skipf(format+" (set %s=1 to make this a failure)", append(args, RequirePodmanEnv)...)
}

// PodmanDockerHost returns the environment entry that points a child
// process (the safedock CLI) at the Podman service.
func PodmanDockerHost() string {
	return "DOCKER_HOST=" + strings.TrimSpace(PodmanAddr())
}
