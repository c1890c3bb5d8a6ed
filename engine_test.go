package safedock

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versionFixture reads a /version answer recorded from a real engine.
func versionFixture(t *testing.T, name string) *client.ServerVersionResult {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var v system.VersionResponse
	require.NoError(t, json.Unmarshal(b, &v))
	return &client.ServerVersionResult{Platform: client.PlatformInfo{Name: v.Platform.Name}, Version: v.Version,
		APIVersion: v.APIVersion, Os: v.Os, Arch: v.Arch, Components: v.Components}
}

func TestIdentifyEngine(t *testing.T) {
	// Podman's /info answers with the Docker-shaped fields, an
	// Apache-2.0 ProductLicense among them: only /version tells.
	podmanInfo := &system.Info{ServerVersion: "4.3.1", ProductLicense: "Apache-2.0", Name: "vm", ID: "366a533d"}
	e := IdentifyEngine(versionFixture(t, "version-podman-4.3.1.json"), podmanInfo)
	assert.Equal(t, Engine{Kind: EnginePodman, Product: "Podman Engine", Version: "4.3.1"}, e)
	assert.Equal(t, "Podman Engine 4.3.1", e.String())

	for _, f := range []string{"version-docker-20.10.json", "version-docker-28.5.json"} {
		v := versionFixture(t, f)
		e := IdentifyEngine(v, &system.Info{ServerVersion: v.Version})
		assert.Equal(t, EngineDocker, e.Kind, f)
		assert.Equal(t, "Docker Engine", e.Product, f)
		assert.Equal(t, v.Version, e.Version, f)
	}
	// An older Podman that names itself only in the platform.
	assert.Equal(t, EnginePodman, IdentifyEngine(&client.ServerVersionResult{Platform: client.PlatformInfo{Name: "Podman Engine"}, Version: "3.0.1"}, nil).Kind)
	// Without /version: dockerd, as before engines were told apart.
	assert.Equal(t, Engine{Kind: EngineDocker, Product: "Docker Engine - Community", Version: "28.5.1"},
		IdentifyEngine(nil, &system.Info{ServerVersion: "28.5.1", ProductLicense: "Community"}))
}

func TestEngineHostIdentityNamesPodman(t *testing.T) {
	info := &system.Info{ServerVersion: "4.3.1", ProductLicense: "Apache-2.0", Name: "vm", ID: "366a533d"}
	h := EngineHostIdentity(info, IdentifyEngine(versionFixture(t, "version-podman-4.3.1.json"), info), false)
	assert.Equal(t, "vm", h.Hostname)
	assert.Empty(t, h.DaemonID, "Podman's /info ID is a new random UUID on every call (measured on 4.3.1)")
	assert.Equal(t, "vm", h.Key(), "fingerprints key on the hostname")
	assert.Equal(t, "Podman Engine", h.Engine)
	assert.Equal(t, "4.3.1", h.EngineVersion)
	// HostIdentity (no /version) is what it always was.
	d := HostIdentity(&system.Info{ServerVersion: "20.10.24", Name: "golden", ID: "GOLD"}, true)
	assert.Equal(t, "Docker Engine", d.Engine)
	assert.Equal(t, "20.10.24", d.EngineVersion)
}

// /version is asked only when /info leaves the engine in doubt: dockerd
// 20.10 and 28.5 name their runc (20.10 its containerd too); Podman 4.3's
// compatible /info names neither and says "Apache-2.0".
func TestNeedsVersion(t *testing.T) {
	docker2010 := &system.Info{ServerVersion: "20.10.24+dfsg1", RuncCommit: system.Commit{ID: "1.1.5+ds1-1+deb12u1"}, ContainerdCommit: system.Commit{ID: "1.6.20~ds1-1+deb12u3"}}
	docker285 := &system.Info{ServerVersion: "28.5.2+dfsg4", RuncCommit: system.Commit{ID: "1.1.5+ds1-1+deb12u1"}}
	podman43 := &system.Info{ServerVersion: "4.3.1", ProductLicense: "Apache-2.0"}
	if NeedsVersion(docker2010) || NeedsVersion(docker285) {
		t.Error("dockerd is known from /info alone")
	}
	if !NeedsVersion(podman43) || !NeedsVersion(nil) || !NeedsVersion(&system.Info{}) {
		t.Error("Podman, an empty /info or none at all need /version")
	}
}
