// Package dockertest holds the helpers that safedock's integration tests
// share: connecting to a real Docker Engine (or failing/skipping when there
// is none), building the static probe image from scratch, unique names, and
// cleanup by ID.
//
// Integration tests must FAIL rather than skip when SAFEDOCK_REQUIRE_DOCKER=1
// (CI sets it) and no daemon answers. No helper ever pulls an image.
package dockertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// RequireEnv is the environment variable that turns a missing daemon into a
// test failure instead of a skip.
const RequireEnv = "SAFEDOCK_REQUIRE_DOCKER"

// Required reports whether integration tests must not skip.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Unavailable fails (when Required) or skips the test with the reason.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", msg, RequireEnv)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, RequireEnv)
}

// Client returns a client for the daemon named by DOCKER_HOST (or the default
// socket), as the docker CLI would pick it, after checking that it answers.
func Client(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		Unavailable(t, "docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		cli.Close()
		Unavailable(t, "no Docker daemon answers at %s: %v", cli.DaemonHost(), err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Name returns a unique, docker-safe name starting with prefix.
func Name(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("safedock-test-%s-%s", prefix, hex.EncodeToString(b))
}

// Cleanup context: removal must go ahead even when the test's context ended.
func cleanupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// RemoveContainerOnCleanup force-removes the container (and its anonymous
// volumes) when the test ends, whatever its outcome.
func RemoveContainerOnCleanup(t testing.TB, cli client.APIClient, id string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := cleanupCtx()
		defer cancel()
		_, err := cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !isNotFound(err) {
			t.Errorf("cleanup: removing container %s: %v", id, err)
		}
	})
}

// RemoveNetworkOnCleanup removes the network by ID or name when the test ends.
func RemoveNetworkOnCleanup(t testing.TB, cli client.APIClient, id string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := cleanupCtx()
		defer cancel()
		_, err := cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{})
		if err != nil && !isNotFound(err) {
			t.Errorf("cleanup: removing network %s: %v", id, err)
		}
	})
}

func isNotFound(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "No such") || strings.Contains(strings.ToLower(err.Error()), "not found"))
}

var probeBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// ProbeBinary returns the path of a static build of internal/probe, built
// once per test process into a temporary directory (removed by Main).
func ProbeBinary(t testing.TB) string {
	t.Helper()
	probeBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "safedock-probe-")
		if err != nil {
			probeBin.err = err
			return
		}
		probeBin.dir = dir
		probeBin.path = filepath.Join(dir, "probe")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", probeBin.path, "github.com/safedock/safedock/internal/probe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
		cmd.Dir = moduleRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			probeBin.err = fmt.Errorf("building probe: %v\n%s", err, out)
		}
	})
	if probeBin.err != nil {
		t.Fatal(probeBin.err)
	}
	return probeBin.path
}

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Main runs the tests of a package and removes the probe binary after them.
// Use it from TestMain: func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if probeBin.dir != "" {
		os.RemoveAll(probeBin.dir)
	}
	return code
}

// ProbeDockerfile is the Dockerfile of the probe image: the static probe at
// /probe, a copy named sshd, a HEALTHCHECK, no USER (so it runs as root
// unless told otherwise, like most images people pull).
const ProbeDockerfile = `FROM scratch
COPY probe /probe
COPY probe /usr/sbin/sshd
COPY passwd /etc/passwd
HEALTHCHECK --interval=5s --timeout=2s CMD ["/probe", "health"]
ENTRYPOINT ["/probe"]
CMD ["status"]
`

// ProbeImageOptions adjusts the probe image.
type ProbeImageOptions struct {
	// User, when set, adds a USER instruction.
	User string
	// Expose adds EXPOSE instructions, e.g. "22/tcp".
	Expose []string
	// NoHealthcheck drops the HEALTHCHECK instruction.
	NoHealthcheck bool
}

// Image is a test image: a unique tag and the image ID.
type Image struct {
	Ref string // unique tag, e.g. safedock-test-probe-1a2b3c4d:latest
	ID  string // sha256:...
}

// ProbeImage builds the probe image from scratch under a unique tag and
// removes that tag when the test ends.
func ProbeImage(t testing.TB, cli client.APIClient, opts ProbeImageOptions) Image {
	t.Helper()
	bin, err := os.ReadFile(ProbeBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	df := ProbeDockerfile
	if opts.NoHealthcheck {
		df = strings.Replace(df, "HEALTHCHECK --interval=5s --timeout=2s CMD [\"/probe\", \"health\"]\n", "", 1)
	}
	for _, p := range opts.Expose {
		df += "EXPOSE " + p + "\n"
	}
	if opts.User != "" {
		df += "USER " + opts.User + "\n"
	}
	files := map[string][]byte{
		"Dockerfile": []byte(df),
		"probe":      bin,
		"passwd":     []byte("root:x:0:0:root:/:/probe\nnobody:x:65534:65534:nobody:/:/probe\n"),
	}
	ref := Name("probe") + ":latest"
	id, err := BuildImage(context.Background(), cli, ref, files)
	if err != nil {
		t.Fatalf("building probe image: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := cleanupCtx()
		defer cancel()
		if _, err := cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil && !isNotFound(err) {
			t.Errorf("cleanup: removing image %s: %v", ref, err)
		}
	})
	return Image{Ref: ref, ID: id}
}

// BuildImage builds an image from the given files (one must be
// "Dockerfile"; a name ending in "/" is an empty directory) and
// tags it ref. It returns the image ID. It never pulls: FROM scratch only.
func BuildImage(ctx context.Context, cli client.APIClient, ref string, files map[string][]byte) (string, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		hdr := &tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)), ModTime: time.Unix(0, 0)}
		if strings.HasSuffix(name, "/") {
			hdr = &tar.Header{Name: strings.TrimSuffix(name, "/") + "/", Mode: 0o1777, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0)}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return "", err
		}
		if hdr.Typeflag != tar.TypeDir {
			if _, err := tw.Write(data); err != nil {
				return "", err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	// NoCache: test packages build the same Dockerfile at the same time,
	// and each removes its image with its untagged parents when done. With
	// the build cache they would share those parents, and one package's
	// cleanup would delete the layers another's build is resting on
	// ("failed to get digest ... no such file or directory").
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{Tags: []string{ref}, Remove: true, ForceRemove: true, NoCache: true})
	if err != nil {
		return "", fmt.Errorf("image build: %w", err)
	}
	defer res.Body.Close()
	var id string
	dec := json.NewDecoder(res.Body)
	var log strings.Builder
	for {
		var msg struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
			Aux    struct {
				ID string `json:"ID"`
			} `json:"aux"`
		}
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", fmt.Errorf("reading build output: %w", err)
		}
		if msg.Error != "" {
			return "", fmt.Errorf("build failed: %s\n%s", msg.Error, log.String())
		}
		log.WriteString(msg.Stream)
		if msg.Aux.ID != "" {
			id = msg.Aux.ID
		}
	}
	if id == "" {
		ins, err := cli.ImageInspect(ctx, ref)
		if err != nil {
			return "", fmt.Errorf("inspecting built image: %w", err)
		}
		id = ins.ID
	}
	return id, nil
}

// ProbeStatus is what "probe status" prints (see internal/probe): the
// kernel's view from inside a container.
type ProbeStatus struct {
	UID         int    `json:"uid"`
	GID         int    `json:"gid"`
	CapEff      string `json:"cap_eff"`
	CapPrm      string `json:"cap_prm"`
	CapBnd      string `json:"cap_bnd"`
	NoNewPrivs  string `json:"no_new_privs"`
	Seccomp     string `json:"seccomp"`
	WriteRoot   string `json:"write_root"`
	WriteTmp    string `json:"write_tmp"`
	PidsMax     string `json:"pids_max"`
	MemoryLimit string `json:"memory_limit"`
}
