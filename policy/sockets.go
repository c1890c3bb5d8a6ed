package policy

import (
	"path"
	"slices"
	"strings"
)

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

// EngineSocketAt judges the host path p as written: it returns the engine
// socket that p is (self) or that lies below the directory p, and ok. A
// path is an engine socket when its file name is one of EngineSocketNames
// or it matches one of EngineSocketPatterns; it holds one when it is a
// directory above a pattern (/, /run, /run/containerd, /run/user/1000...),
// after FoldAliases (/var/run is /run). "/var" holds /var/run/docker.sock
// on a host where /var/run is still a directory of its own.
//
// Callers that can resolve p on the host (device and inode) should judge
// what it resolves to as well; this is the judgement of last resort.
func EngineSocketAt(p string) (socket string, self, ok bool) {
	w := FoldAliases(p)
	for _, n := range engineSocketNames {
		if path.Base(w) == n {
			return w, true, true
		}
	}
	if w == "/var" {
		return "/var/run/docker.sock", false, true
	}
	for _, sp := range engineSocketPatterns {
		if self, ok := MatchSocket(sp, w); ok {
			return sp, self, true
		}
	}
	return "", false, false
}

// MatchSocket reports whether the socket path sock (a pattern, where "*"
// matches one component) is the clean absolute path dir itself (self) or
// lies below it (ok, not self), comparing component by component.
func MatchSocket(sock, dir string) (self, ok bool) {
	sc := strings.Split(strings.TrimPrefix(sock, "/"), "/")
	var dc []string
	if dir != "/" {
		dc = strings.Split(strings.TrimPrefix(dir, "/"), "/")
	}
	if len(dc) > len(sc) {
		return false, false
	}
	for i, c := range dc {
		if m, _ := path.Match(sc[i], c); !m {
			return false, false
		}
	}
	return len(dc) == len(sc), true
}
