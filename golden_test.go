package safedock

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-audit.json")

// goldenClient is a daemon that answers from fixtures: three containers
// (the hardened one recorded from Docker 20.10, a privileged one sharing
// the host's PID namespace, one bind-mounting /etc writable) and one image.
// It exists so that the whole audit's output can be compared byte for byte
// across refactors; the real-daemon tests prove the verdicts.
type goldenClient struct {
	Client   // nil: any call not listed here panics
	inspects map[string]container.InspectResponse
}

func newGoldenClient(t *testing.T) *goldenClient {
	t.Helper()
	raw, err := os.ReadFile("hardening/testdata/inspect-20.10-hardened.json")
	require.NoError(t, err)
	var hardened container.InspectResponse
	require.NoError(t, json.Unmarshal(raw, &hardened))
	variant := func(id, name string, edit func(*container.InspectResponse)) container.InspectResponse {
		var c container.InspectResponse
		require.NoError(t, json.Unmarshal(raw, &c))
		c.ID, c.Name = id, name
		edit(&c)
		return c
	}
	g := &goldenClient{inspects: map[string]container.InspectResponse{}}
	for _, c := range []container.InspectResponse{
		hardened,
		variant(strings.Repeat("b", 64), "/priv", func(c *container.InspectResponse) {
			c.HostConfig.Privileged = true
			c.HostConfig.PidMode = "host"
			c.HostConfig.CapDrop = nil
			c.HostConfig.SecurityOpt = nil
			c.HostConfig.ReadonlyRootfs = false
			c.Config.User = ""
		}),
		variant(strings.Repeat("c", 64), "/etcrw", func(c *container.InspectResponse) {
			c.HostConfig.Binds = []string{"/etc:/host-etc"}
			c.Mounts = []container.MountPoint{{Type: "bind", Source: "/etc", Destination: "/host-etc", RW: true, Propagation: "rprivate"}}
			c.HostConfig.Memory = 0
			c.HostConfig.PidsLimit = nil
		}),
	} {
		g.inspects[c.ID] = c
	}
	return g
}

func (g *goldenClient) DaemonHost() string { return "unix:///var/run/docker.sock" }

func (g *goldenClient) Info(context.Context, client.InfoOptions) (client.SystemInfoResult, error) {
	return client.SystemInfoResult{Info: system.Info{
		ID: "GOLD:EN00", Name: "golden", ServerVersion: "20.10.24", Driver: "overlay2",
		SecurityOptions: []string{"name=seccomp,profile=default", "name=cgroupns"},
		DockerRootDir:   "/var/lib/docker", OperatingSystem: "Debian GNU/Linux 12 (bookworm)", KernelVersion: "6.1.0",
	}}, nil
}

func (g *goldenClient) NetworkList(context.Context, client.NetworkListOptions) (client.NetworkListResult, error) {
	return client.NetworkListResult{Items: []network.Summary{{Network: network.Network{Name: "perf-net", ID: "460b0fe38e63cd73f09647da90f823bb0e5c1c3f1b8ec95cea24d39d5b01dc42", Driver: "bridge",
		Options: map[string]string{"com.docker.network.bridge.enable_icc": "false"}}}}}, nil
}

func (g *goldenClient) ContainerList(context.Context, client.ContainerListOptions) (client.ContainerListResult, error) {
	var out client.ContainerListResult
	for _, id := range []string{"f314597e330acfff04d963c9cd528876e41a43fe3d1a2ee17fcc54d5f0a10732", strings.Repeat("b", 64), strings.Repeat("c", 64)} {
		c := g.inspects[id]
		out.Items = append(out.Items, container.Summary{ID: id, Names: []string{c.Name}, State: "running", Image: c.Image})
	}
	return out, nil
}

func (g *goldenClient) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	c, ok := g.inspects[id]
	if !ok {
		return client.ContainerInspectResult{}, errors.New("no such container")
	}
	return client.ContainerInspectResult{Container: c}, nil
}

func (g *goldenClient) ImageList(context.Context, client.ImageListOptions) (client.ImageListResult, error) {
	return client.ImageListResult{Items: []image.Summary{{ID: "sha256:352f62f1b024c4671524396d59c46f5cf325fc0acf0c1bce9c408786747657af", RepoTags: []string{"perf-probe:latest"}, Size: 2 << 20}}}, nil
}

func (g *goldenClient) ImageInspect(_ context.Context, ref string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	return client.ImageInspectResult{InspectResponse: image.InspectResponse{ID: "sha256:352f62f1b024c4671524396d59c46f5cf325fc0acf0c1bce9c408786747657af",
		RepoTags: []string{"perf-probe:latest"}, Size: 2 << 20}}, nil
}

type goldenProcs struct{}

func (goldenProcs) Processes(_ context.Context, c *container.InspectResponse) ([]string, string, error) {
	return []string{"/probe sleep"}, "top", nil
}

// The whole-host audit of fixed inputs (a fixture root and a fixture
// daemon) renders to the same JSON as recorded in testdata: a refactor that
// changes a verdict, a reason or the order of findings shows here. Run
// with -update-golden to record a deliberate change.
func TestAuditGoldenJSON(t *testing.T) {
	root := writeTree(t, map[string]string{
		"etc/docker/daemon.json":            `{"icc": false, "no-new-privileges": true, "userland-proxy": false, "live-restore": true, "log-driver": "json-file", "log-opts": {"max-size": "10m"}}`,
		"etc/passwd":                        "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
		"etc/group":                         "root:x:0:\ndocker:x:999:alice\n",
		"etc/default/docker":                "",
		"lib/systemd/system/docker.service": "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
		"lib/systemd/system/docker.socket":  "[Socket]\nListenStream=/run/docker.sock\n",
		"etc/audit/rules.d/docker.rules":    "-w /usr/bin/dockerd -k docker\n-w /var/lib/docker -k docker\n",
	})
	require.NoError(t, os.Chmod(filepath.Join(root, "etc/docker/daemon.json"), 0o666))
	local := false
	rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Client: newGoldenClient(t), Processes: goldenProcs{},
		Inspector: nil, TrustedUsers: []string{"alice"}})
	for i := range rep.Sections {
		rep.Sections[i].Duration = 0
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	require.NoError(t, err)
	got = []byte(strings.ReplaceAll(string(got), root, "$ROOT"))
	path := filepath.Join("testdata", "golden-audit.json")
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "record it with go test -run TestAuditGoldenJSON -update-golden")
	assert.Equal(t, strings.TrimSpace(string(want)), string(got))
}
