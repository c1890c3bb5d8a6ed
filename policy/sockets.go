package policy

import "slices"

// engineSocketPatterns are the well-known API sockets of container engines;
// "*" stands for one path component (a user ID).
var engineSocketPatterns = []string{
	"/run/docker.sock",
	"/run/containerd/containerd.sock",
	"/run/docker/containerd/containerd.sock",
	"/run/podman/podman.sock",
	"/run/crio/crio.sock",
	"/run/buildkit/buildkitd.sock",
	"/run/user/*/docker.sock",
	"/run/user/*/podman/podman.sock",
}

// engineSocketNames are socket file names that give an engine's API
// wherever they are.
var engineSocketNames = []string{"docker.sock", "containerd.sock", "podman.sock", "crio.sock", "buildkitd.sock"}

// EngineSocketPatterns returns the well-known API socket paths of Docker,
// containerd, Podman, CRI-O, BuildKit and rootless dockerd, as host paths
// (/var/run folded into /run); "*" stands for one path component, as in
// "/run/user/*/docker.sock". Each call returns a new slice.
func EngineSocketPatterns() []string { return slices.Clone(engineSocketPatterns) }

// EngineSocketNames returns the socket file names that give an engine's API
// wherever they are ("docker.sock", "containerd.sock", ...): a mount source
// with one of these names is an engine socket as written. Each call returns
// a new slice.
func EngineSocketNames() []string { return slices.Clone(engineSocketNames) }
