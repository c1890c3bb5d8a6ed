package safedock

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/moby/api/types/system"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
)

// rootlessSecurityOption is the /info SecurityOptions entry of a dockerd
// running in rootless mode.
const rootlessSecurityOption = "name=rootless"

// IsRootless reports whether the daemon that answered info runs in
// rootless mode: its /info SecurityOptions hold "name=rootless". A nil
// info (the daemon did not answer) is not rootless. The engine
// identification calls it.
func IsRootless(info *system.Info) bool {
	return info != nil && slices.Contains(info.SecurityOptions, rootlessSecurityOption)
}

// RootlessPaths are where a rootless dockerd keeps its files, as in-root
// paths on the machine that runs it: the user's own daemon.json, socket,
// exec root and data root instead of /etc/docker/daemon.json,
// /var/run/docker.sock, /var/run/docker and /var/lib/docker.
type RootlessPaths struct {
	// User and UID are who runs the daemon ("" and 0 when /etc/passwd does
	// not say).
	User string
	UID  uint32
	// Home is the user's home directory.
	Home string
	// ConfigFile is ~/.config/docker/daemon.json.
	ConfigFile string
	// Socket is $XDG_RUNTIME_DIR/docker.sock (/run/user/UID/docker.sock).
	Socket string
	// ExecRoot is $XDG_RUNTIME_DIR/docker.
	ExecRoot string
	// DataRoot is the data root the daemon reports (DockerRootDir), by
	// default ~/.local/share/docker.
	DataRoot string
}

const (
	rootlessDataRootSuffix = "/.local/share/docker"
	rootlessConfigSuffix   = "/.config/docker/daemon.json"
)

// runtimeDirSocket matches $XDG_RUNTIME_DIR/docker.sock as systemd and
// pam_systemd lay it out.
var runtimeDirSocket = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/run/user/([0-9]+)/docker\.sock$`) })

// FindRootlessPaths says where the rootless dockerd that answered info
// keeps its files. clientSocket is the in-root path of the unix socket the
// client talks to ("" when none); acc are the root's accounts (nil: the
// home directory must then come from the data root). The user is found
// from the socket (/run/user/UID/docker.sock) or from the data root
// (HOME/.local/share/docker); an error says neither told.
func FindRootlessPaths(info *system.Info, clientSocket string, acc *hostfs.Accounts) (RootlessPaths, error) {
	if info == nil {
		return RootlessPaths{}, fmt.Errorf("finding the rootless daemon's files: no /info")
	}
	p := RootlessPaths{DataRoot: hostfs.Clean(info.DockerRootDir)}
	uidKnown := false
	if clientSocket != "" {
		p.Socket = hostfs.Clean(clientSocket)
		if m := runtimeDirSocket().FindStringSubmatch(p.Socket); m != nil {
			if n, err := strconv.ParseUint(m[1], 10, 32); err == nil {
				p.UID, uidKnown = uint32(n), true
			}
		}
	}
	if acc != nil && uidKnown {
		p.User = acc.UserName(p.UID)
		if p.User == strconv.FormatUint(uint64(p.UID), 10) {
			p.User = ""
		}
		if h, ok := acc.Home(p.User); ok && p.User != "" {
			p.Home = hostfs.Clean(h)
		}
	}
	if p.Home == "" && info.DockerRootDir != "" && strings.HasSuffix(p.DataRoot, rootlessDataRootSuffix) {
		p.Home = strings.TrimSuffix(p.DataRoot, rootlessDataRootSuffix)
	}
	if p.Home == "" {
		return RootlessPaths{}, fmt.Errorf("finding the rootless daemon's files: neither its socket %q (/run/user/UID/docker.sock) nor its data root %q (HOME%s) says whose it is",
			clientSocket, info.DockerRootDir, rootlessDataRootSuffix)
	}
	if p.DataRoot == "" || p.DataRoot == "/" || info.DockerRootDir == "" {
		p.DataRoot = p.Home + rootlessDataRootSuffix
	}
	p.ConfigFile = p.Home + rootlessConfigSuffix
	if p.Socket == "" && uidKnown {
		p.Socket = "/run/user/" + strconv.FormatUint(uint64(p.UID), 10) + "/docker.sock"
	}
	if p.Socket != "" {
		p.ExecRoot = path.Join(path.Dir(p.Socket), "docker")
	}
	return p, nil
}

// withRootlessDefaults fills in what a rootless dockerd uses when its
// daemon.json and command line set nothing: its own data root, exec root
// and socket (their Source says so).
func withRootlessDefaults(d hostfs.Daemon, p RootlessPaths) hostfs.Daemon {
	s := d.Settings
	src := make(map[string]string, len(s.Source)+3)
	for k, v := range s.Source {
		src[k] = v
	}
	if s.DataRoot == "" && p.DataRoot != "" {
		s.DataRoot, src["data-root"] = p.DataRoot, "rootless dockerd default data root (~"+rootlessDataRootSuffix+")"
	}
	if s.ExecRoot == "" && p.ExecRoot != "" {
		s.ExecRoot, src["exec-root"] = p.ExecRoot, "rootless dockerd default exec root ($XDG_RUNTIME_DIR/docker)"
	}
	if len(s.Hosts) == 0 && p.Socket != "" {
		s.Hosts, src["hosts"] = []string{"unix://" + p.Socket}, "rootless dockerd default socket ($XDG_RUNTIME_DIR/docker.sock)"
	}
	s.Source = src
	d.Settings = s
	return d
}

// rootlessOwner is who a rootless daemon's own files belong to, for the
// files section: its user (from the socket's /run/user/UID, else the
// owner of its home directory), that user's primary group (else the group
// of the same number) and subordinate gids (/etc/subgid). r is the root
// the facts were gathered from, acc its accounts. Nil when the user is not
// known: the files are then judged as root's.
func rootlessOwner(r *hostfs.Root, acc *hostfs.Accounts, p RootlessPaths) *perms.Owner {
	o := perms.Owner{User: p.User, UID: p.UID}
	if p.UID == 0 {
		st, err := r.Lstat(p.Home)
		if err != nil || st.UID == 0 {
			return nil
		}
		o.UID = st.UID
	}
	if o.User == "" && acc != nil {
		if n := acc.UserName(o.UID); n != strconv.FormatUint(uint64(o.UID), 10) {
			o.User = n
		}
	}
	o.GID = o.UID
	if acc != nil && o.User != "" {
		if gid, ok := acc.PrimaryGID(o.User); ok {
			o.GID = gid
		}
	}
	if data, err := r.ReadFile("/etc/subgid", 1<<20); err == nil {
		o.SubGIDs = parseSubIDs(data, o.User, o.UID)
	}
	return &o
}

// parseSubIDs returns the ranges /etc/subuid or /etc/subgid (data) gives
// the user named name with uid uid: lines "NAME_OR_UID:START:COUNT".
func parseSubIDs(data []byte, name string, uid uint32) []perms.IDRange {
	var out []perms.IDRange
	id := strconv.FormatUint(uint64(uid), 10)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) != 3 || f[0] != id && (name == "" || f[0] != name) {
			continue
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 == nil && err2 == nil && count > 0 {
			out = append(out, perms.IDRange{Start: uint32(start), Count: uint32(count)})
		}
	}
	return out
}
