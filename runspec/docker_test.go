package runspec

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// dockerSpecRoots are where dockerd (through containerd's runc v2 shim)
// writes each running container's OCI bundle. On this project's reference
// host (Debian docker.io 20.10.24, exec root /var/run/docker) it is
// /run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/<id>/config.json;
// the test searches rather than assumes, under the exec root of every
// running dockerd too (a second engine, a throwaway daemon).
var dockerSpecRoots = []string{"/run/docker", "/var/run/docker", "/run/containerd", "/var/run/containerd"}

// findDockerSpec returns the config.json dockerd handed to runc for the
// container with full ID id.
func findDockerSpec(t *testing.T, id string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	roots := append(slices.Clone(dockerSpecRoots), dockertest.ExecRoots()...)
	for {
		for _, root := range roots {
			var found string
			_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil // unreadable parts are skipped
				}
				if d.IsDir() && d.Name() == id {
					if _, err := os.Lstat(filepath.Join(p, "config.json")); err == nil {
						found = filepath.Join(p, "config.json")
						return fs.SkipAll
					}
				}
				return nil
			})
			if found != "" {
				return found
			}
		}
		if time.Now().After(deadline) {
			dockertest.Unavailable(t, "no config.json for container %s under %v (needs root and a runc-based runtime)", id, roots)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// hardenedLaunch starts the container with package hardening's own launcher
// (the builder's secure defaults; no network), so the OCI checker judges
// exactly what the launcher produces: builder and checker keep each other
// honest.
func hardenedLaunch(t *testing.T, cli *client.Client, image string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := hardening.Run(ctx, cli, image, hardening.WithNetwork("none"), hardening.WithNonRootUser(),
		hardening.WithCmd("sleep", "300"), hardening.WithPidsLimit(64), hardening.WithMemory(64<<20))
	if err != nil {
		t.Fatalf("hardening.Run: %v", err)
	}
	dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	return c.ID
}

func startContainer(t *testing.T, cli *client.Client, name string, cfg *container.Config, hc *container.HostConfig) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc, Name: name})
	if err != nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
	if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	return res.ID
}

// TestDockerAgrees: the spec dockerd generates for a hardened launch passes
// Check with no failures; the one for a plain `docker run` of the same image
// fails the rules a plain run breaks.
func TestDockerAgrees(t *testing.T) {
	if os.Geteuid() != 0 {
		dockertest.Unavailable(t, "reading dockerd's bundles needs root")
	}
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})

	hardID := hardenedLaunch(t, cli, img.Ref)
	plainID := startContainer(t, cli, dockertest.Name("runspec-plain"),
		&container.Config{Image: img.ID, Cmd: []string{"sleep", "300"}}, &container.HostConfig{})

	hardPath := findDockerSpec(t, hardID)
	t.Logf("dockerd's spec for the hardened container: %s", hardPath)
	hard, err := CheckFile(hardPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range hard.Findings {
		if f.Status == rule.StatusFail {
			t.Errorf("hardened container fails %s: %s (%s)", f.Rule, f.Reason, f.Detail)
		}
	}

	plain, err := CheckFile(findDockerSpec(t, plainID))
	if err != nil {
		t.Fatal(err)
	}
	wantFail := []rule.ID{
		rule.ContainerCapabilities, rule.ContainerReadOnlyRootfs, rule.ContainerNoNewPrivileges,
		rule.ContainerNonRootUser, rule.ContainerPidsLimit, rule.ContainerMemoryLimit, rule.ContainerCPUShares,
	}
	for _, id := range wantFail {
		if f := statusOf(plain.Findings, id); f.Status != rule.StatusFail {
			t.Errorf("plain docker run: %s is %s (%s), want fail", id, f.Status, f.Reason)
		}
	}
	// What Docker always does right must pass for the plain run too.
	for _, id := range []rule.ID{rule.ContainerSeccomp, rule.ContainerHostPID, rule.ContainerHostNetwork, SpecMountNamespace, rule.ContainerHostDevices, rule.ContainerSensitiveMounts} {
		if f := statusOf(plain.Findings, id); f.Status != rule.StatusPass {
			t.Errorf("plain docker run: %s is %s (%s: %s), want pass", id, f.Status, f.Reason, f.Detail)
		}
	}
}
