package safedock

import (
	"context"
	"strings"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
)

// EngineKind says which engine serves the Docker API being audited.
type EngineKind string

// The engines safedock tells apart.
const (
	// EngineDocker is dockerd (Docker Engine, Moby).
	EngineDocker EngineKind = "docker"
	// EnginePodman is Podman's Docker-compatible API service
	// (podman system service).
	EnginePodman EngineKind = "podman"
)

// PodmanComponent is the name Podman gives itself among /version's
// components.
const PodmanComponent = "Podman Engine"

// Engine identifies the engine behind the API: what it is, what it calls
// itself and its version.
type Engine struct {
	Kind EngineKind
	// Product is the engine's own name for itself: "Podman Engine",
	// "Docker Engine - Community", "Docker Engine".
	Product string
	// Version is the engine's version ("4.3.1", "28.5.1").
	Version string
}

// String is the product and version, e.g. "Podman Engine 4.3.1".
func (e Engine) String() string {
	return strings.TrimSpace(e.Product + " " + e.Version)
}

// IdentifyEngine decides which engine answered from its /version (nil when
// not asked or it failed) and its /info (nil likewise). Podman names
// itself among /version's components ("Podman Engine") and, in older
// releases, in the platform name; dockerd's /version names the "Engine"
// component and its platform ("Docker Engine - Community"). Without
// /version the engine is taken to be dockerd, as before engines were told
// apart.
func IdentifyEngine(v *client.ServerVersionResult, info *system.Info) Engine {
	e := Engine{Kind: EngineDocker, Product: "Docker Engine"}
	if info != nil {
		e.Version = info.ServerVersion
		if info.ProductLicense != "" {
			e.Product += " - " + info.ProductLicense
		}
	}
	if v == nil {
		return e
	}
	for _, c := range v.Components {
		if c.Name == PodmanComponent {
			return Engine{Kind: EnginePodman, Product: PodmanComponent, Version: c.Version}
		}
	}
	if strings.HasPrefix(v.Platform.Name, "Podman") {
		return Engine{Kind: EnginePodman, Product: PodmanComponent, Version: v.Version}
	}
	// Rootless dockerd (SecurityOptions "name=rootless" in /info) is
	// told apart here.
	if e.Version == "" {
		e.Version = v.Version
	}
	return e
}

// NeedsVersion reports whether info alone leaves the engine in doubt, so
// that IdentifyEngine needs /version too. dockerd reports the runc or the
// containerd it runs (RuncCommit, ContainerdCommit) and never Podman's
// "Apache-2.0" product license; Podman's compatible /info reports neither
// commit. Without /info, /version decides.
func NeedsVersion(info *system.Info) bool {
	if info == nil {
		return true
	}
	if info.ProductLicense == "Apache-2.0" {
		return true
	}
	return info.RuncCommit.ID == "" && info.ContainerdCommit.ID == ""
}

// versionAsker is the part of *client.Client that reads /version.
type versionAsker interface {
	ServerVersion(ctx context.Context, options client.ServerVersionOptions) (client.ServerVersionResult, error)
}

// serverVersion asks cli for /version when it can; nil otherwise.
func serverVersion(ctx context.Context, cli any) *client.ServerVersionResult {
	vc, ok := cli.(versionAsker)
	if !ok {
		return nil
	}
	v, err := vc.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return nil
	}
	return &v
}
