package hardening

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// EngineSocketPaths returns the well-known API socket paths of Docker,
// containerd, Podman, CRI-O, BuildKit and rootless dockerd on the host
// whose "/" is root ("" for this machine), with the per-user patterns
// (/run/user/*/docker.sock) expanded to the users that exist under root.
// The paths are in-root paths. It returns a new slice on every call.
func EngineSocketPaths(root string) []string {
	var out []string
	r, err := hostfs.Open(root)
	if err == nil {
		defer r.Close()
	}
	for _, p := range policy.EngineSocketPatterns() {
		if !strings.Contains(p, "*") {
			out = append(out, p)
			continue
		}
		if r != nil {
			out = append(out, expandGlob(r, p)...)
		}
	}
	return out
}

// expandGlob expands the "*" components of p by listing directories
// inside the root.
func expandGlob(r *hostfs.Root, p string) []string {
	paths := []string{"/"}
	for _, c := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		var next []string
		for _, dir := range paths {
			if !strings.Contains(c, "*") {
				next = append(next, path.Join(dir, c))
				continue
			}
			names, err := r.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, n := range names {
				if ok, _ := path.Match(c, n); ok {
					next = append(next, path.Join(dir, n))
				}
			}
		}
		paths = next
	}
	var out []string
	for _, p := range paths {
		if r.Exists(p) {
			out = append(out, p)
		}
	}
	return out
}

// engineSocket is one socket the rule protects.
type engineSocket struct {
	written  string // as given or as listed (may hold "*" as written)
	resolved string // where it leads on a local host ("" when unknown)
	id       fileID
	known    bool // id is set: the socket exists on this host
}

// sockets lists the sockets to protect: the caller's (HostFacts.
// SocketPaths) and the well-known ones. On a local host each is resolved
// and identified; as written the patterns stay patterns.
func (v *hostView) sockets(h HostFacts) ([]engineSocket, map[fileID]string) {
	var paths []string
	for _, p := range h.SocketPaths {
		p = strings.TrimPrefix(p, "unix://")
		if p != "" {
			paths = append(paths, policy.CleanHostPath(p))
		}
	}
	if v.root != nil {
		paths = append(paths, EngineSocketPaths(h.Root)...)
	} else {
		paths = append(paths, policy.EngineSocketPatterns()...)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var out []engineSocket
	dirs := map[fileID]string{} // identities of the directories holding a socket
	for _, p := range paths {
		s := engineSocket{written: p}
		if v.root != nil {
			if st, err := v.root.StatFollow(p); err == nil && st.Mode&fs.ModeSocket != 0 {
				s.resolved, s.id, s.known = st.Resolved, fileID{st.Dev, st.Ino}, true
				for d := path.Dir(st.Resolved); ; d = path.Dir(d) {
					if id, ok := v.identity(d); ok {
						if _, dup := dirs[id]; !dup {
							dirs[id] = p
						}
					}
					if d == "/" {
						break
					}
				}
			}
		}
		out = append(out, s)
	}
	return out, dirs
}

// judgeSockets judges the mounts of s as v sees them (the judge of
// container.docker-socket, check_docker_socket.go).
func judgeSockets(s *Subject, v *hostView) rule.Result {
	var (
		socks  []engineSocket
		dirs   map[fileID]string
		listed bool
	)
	for _, m := range v.mounts(s) {
		desc := mountDesc(m)
		if m.Problem != "" {
			return rule.Fail("a mount that cannot be parsed may hold an engine socket", desc+": "+m.Problem)
		}
		// Volumes are judged by the path dockerd gives them (inspect's
		// Source): a volume that binds /run while in use is /run.
		if !hostPathMount(m) && !(m.Type == mount.TypeVolume && strings.HasPrefix(m.Source, "/")) {
			continue
		}
		if m.Source == "" {
			continue
		}
		if !listed { // only a container with a host path needs the sockets
			socks, dirs = v.sockets(s.Host)
			listed = true
		}
		written := policy.FoldAliases(m.Source)
		for _, n := range policy.EngineSocketNames() {
			if path.Base(written) == n {
				return rule.Fail("an engine API socket is mounted", desc)
			}
		}
		if !v.local {
			// As written, policy's judgement is the last word (it also
			// knows /var, which holds /var/run where that is a directory).
			if sock, self, ok := policy.EngineSocketAt(m.Source); ok && self {
				return rule.Fail("an engine API socket is mounted", fmt.Sprintf("%s is %s", desc, sock))
			} else if ok {
				return rule.Fail("a directory holding an engine API socket is mounted", fmt.Sprintf("%s holds %s", desc, sock))
			}
		}
		resolved, err := v.resolve(m.Source)
		if err != nil {
			return rule.Fail("mount source cannot be resolved: it may be an engine socket", fmt.Sprintf("%s: %v", desc, err))
		}
		if resolved != written {
			desc += " (resolves to " + resolved + ")"
		}
		if id, ok := v.identity(resolved); ok {
			for _, sk := range socks {
				if sk.known && sk.id == id {
					return rule.Fail("an engine API socket is mounted", fmt.Sprintf("%s is %s (same device and inode)", desc, sk.written))
				}
			}
			if sock, hit := dirs[id]; hit {
				return rule.Fail("a directory holding an engine API socket is mounted", fmt.Sprintf("%s holds %s (same device and inode as its directory)", desc, sock))
			}
		}
		for _, sk := range socks {
			for _, src := range []string{written, resolved} {
				for _, sp := range []string{sk.written, sk.resolved} {
					if sp == "" {
						continue
					}
					if self, ok := policy.MatchSocket(sp, src); ok && self {
						return rule.Fail("an engine API socket is mounted", fmt.Sprintf("%s is %s", desc, sk.written))
					} else if ok {
						return rule.Fail("a directory holding an engine API socket is mounted", fmt.Sprintf("%s holds %s", desc, sk.written))
					}
				}
			}
		}
	}
	return rule.Pass("no engine socket mounted", "")
}

// mountDesc names a mount in a finding's detail.
func mountDesc(m Mount) string {
	d := fmt.Sprintf("%s:%s", m.Source, m.Destination)
	if m.Via != "" {
		d += " via " + m.Via
	}
	return d
}
