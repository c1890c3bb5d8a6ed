package daemonconf

import (
	"bytes"
	"fmt"
	"io/fs"
	"net"
	"slices"
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
)

// Filesystem magic numbers (statfs f_type) that decide which storage
// drivers a data root can hold.
const (
	fsBtrfs   = 0x9123683e
	fsZFS     = 0x2fc12fc1
	fsOverlay = 0x794c7630
	fsXFS     = 0x58465342
)

// pluginDirs are where dockerd looks up legacy (v1) plugins by name:
// sockets under /run/docker/plugins, spec files under the other two.
var pluginDirs = []string{"/run/docker/plugins", "/etc/docker/plugins", "/usr/lib/docker/plugins"}

// binDirs are where a bare runtime name is looked up, in order (as
// exec.LookPath does with a system PATH).
var binDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// syslogSockets are the local syslog sockets dockerd's syslog driver tries.
var syslogSockets = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

// systemdDir says whether the host runs systemd; socketUnits are where its
// docker.socket unit may be.
var (
	systemdDir  = "/run/systemd/system"
	socketUnits = []string{"/etc/systemd/system/docker.socket", "/run/systemd/system/docker.socket", "/lib/systemd/system/docker.socket", "/usr/lib/systemd/system/docker.socket"}
)

// defaultDataRoot is dockerd's data root when neither the file nor the
// command line names one.
const defaultDataRoot = "/var/lib/docker"

// LocalHostFacts gathers, once, the facts Validate needs to judge the
// daemon.json data (with dockerd's command line dockerdArgs) on the host
// whose root filesystem is at root ("/" for this host; "/host" when
// safedock runs in a container with the host's root mounted there), and
// returns them as HostFacts. Every file is looked up through the root
// (hostfs: no lookup leaves it, symlinks are followed inside it); see
// GatherHostFacts for what is read. It reads only; it never binds or
// writes anything.
func LocalHostFacts(root string, data []byte, dockerdArgs []string) (*HostFacts, error) {
	if root == "" {
		root = "/"
	}
	r, err := hostfs.Open(root)
	if err != nil {
		return nil, fmt.Errorf("reading host facts: %w", err)
	}
	defer r.Close()
	// On this host the running dockerd is looked for (its limits are a
	// fact of the host); its command line is not what is judged.
	f := hostfs.Gather(r, hostfs.GatherOptions{})
	GatherHostFacts(r, &f, data, dockerdArgs)
	return HostFactsFrom(&f), nil
}

// GatherHostFacts adds to f (gathered from r by hostfs.Gather) everything
// HostFactsFrom needs to judge the daemon.json data with dockerd's command
// line dockerdArgs: the metadata of the files the file and the flags name
// (seccomp profile, TLS files, runtime binaries, the userland proxy), of
// the syslog sockets, systemd's directory and docker.socket, the plugin
// directories and what they hold, the filesystem of the data root and of
// /var/lib/docker, and the running kernel's filesystems and mount table
// and the running dockerd's limits (hostfs.GatherDockerdHost). Each is
// looked up once, through the root.
func GatherHostFacts(r *hostfs.Root, f *hostfs.Facts, data []byte, dockerdArgs []string) {
	files := slices.Concat(syslogSockets, socketUnits, []string{systemdDir, "/dev/fuse"})
	files = append(files, lookPathCandidates("fuse-overlayfs")...)
	dataRoot := defaultDataRoot
	if c := parseForGather(data); c != nil {
		for _, k := range []string{"seccomp-profile", "tlscacert", "tlscert", "tlskey"} {
			if s, ok := c.String(k); ok && s != "" {
				files = append(files, s)
			}
		}
		if s, ok := c.String("userland-proxy-path"); ok && s != "" {
			files = append(files, lookPathCandidates(s)...)
		}
		m, _ := c.values["runtimes"].(map[string]any)
		for _, name := range sortedKeys(m) {
			rt, _ := m[name].(map[string]any)
			if p, _ := caseGet(rt, "path").(string); p != "" {
				files = append(files, lookPathCandidates(p)...)
			}
		}
		if s, ok := c.String("data-root"); ok && s != "" {
			dataRoot = s
		}
	}
	if set, _ := parseDockerdArgs(dockerdArgs); set != nil {
		for _, k := range []string{"tlscacert", "tlscert", "tlskey"} {
			files = append(files, set[k]...)
		}
		if dr := set["data-root"]; len(dr) > 0 && dataRoot == defaultDataRoot {
			dataRoot = dr[len(dr)-1]
		}
	}
	if v, ok := hostfs.DockerdFlag(dockerdArgs, "seccomp-profile", false); ok && v != "" {
		files = append(files, v)
	}
	f.Files.Gather(r, files...)
	f.Files.GatherDirs(r, pluginDirs...)
	var socks []string
	for _, d := range pluginDirs {
		names, _ := f.Files.ReadDir(d)
		for _, n := range names {
			if st, err := f.Files.Lstat(d + "/" + n); err == nil && st.Mode.IsDir() {
				socks = append(socks, d+"/"+n+"/"+n+".sock")
			}
		}
	}
	f.Files.Gather(r, socks...)
	f.Files.GatherFS(r, defaultDataRoot, dataRoot)
	hostfs.GatherDockerdHost(f)
}

// parseForGather parses data as Validate will (a BOM or UTF-16 decoded,
// empty as {}), or returns nil.
func parseForGather(data []byte) *Config {
	if u, ok := decodeUTF16(data); ok {
		data = u
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	c, err := Parse(data)
	if err != nil {
		return nil
	}
	return c
}

// lookPathCandidates are the paths lookPath may examine for name.
func lookPathCandidates(name string) []string {
	if strings.Contains(name, "/") {
		return []string{name}
	}
	out := make([]string, 0, len(binDirs))
	for _, d := range binDirs {
		out = append(out, d+"/"+name)
	}
	return out
}

// HostFactsFrom returns the HostFacts of facts already gathered
// (hostfs.Gather, then GatherHostFacts for the daemon.json judged): every
// answer is looked up in f, nothing is read. Users and groups come from
// f.Accounts (unknown when they could not be read), files and binaries
// from f.Files with their symlinks followed inside the root, authorization
// plugins from the plugin directories' listings, the storage drivers from
// the running kernel's filesystems and the filesystem of the data root,
// the init system from /run/systemd/system, socket activation from
// docker.socket, dockerd's RLIMIT_NOFILE from the running dockerd's limits
// (unknown when none runs), and addresses from this network namespace's
// interfaces. A file that was never gathered counts as absent.
func HostFactsFrom(f *hostfs.Facts) *HostFacts {
	files := f.Files
	exists := func(p string) bool { _, err := files.StatFollow(p); return err == nil }
	h := &HostFacts{
		PathExists: exists,
		SocketExists: func(p string) bool {
			st, err := files.StatFollow(p)
			return err == nil && st.Mode&fs.ModeSocket != 0
		},
		LookPath:       func(name string) (string, error) { return lookPath(files, name) },
		AuthzPlugins:   legacyPlugins(files),
		StorageDrivers: hostStorageDrivers(f, defaultDataRoot),
		DataRootDrivers: func(dataRoot string) []string {
			return hostStorageDrivers(f, dataRoot)
		},
		ProjectQuota: func(dataRoot string) (string, bool) {
			return projectQuota(f, dataRoot)
		},
		Init:            "other",
		AddrAssignable:  localAddr,
		NofileHardLimit: hostfs.NofileHardLimit(f.Dockerd.Limits.Data),
	}
	if st, err := files.StatFollow(systemdDir); err == nil && st.Mode.IsDir() {
		h.Init = "systemd"
	}
	socket := false
	for _, p := range socketUnits {
		socket = socket || exists(p)
	}
	h.SocketActivation = func() bool { return socket && h.Init == "systemd" }
	if acc := f.Accounts; f.AccountsErr == nil && acc != nil {
		// userns-remap's user, and whether a numeric remap is uid 0 by
		// name (dockerd compares the name).
		h.UserExists = func(name string) bool { _, ok := acc.UID(name); return ok }
		h.GroupExists = func(name string) bool { _, ok := acc.GID(name); return ok }
		h.LookupUID = func(uid int) (string, bool) {
			if uid < 0 || uint64(uid) > 1<<32-1 {
				return "", false
			}
			n := acc.UserName(uint32(uid))
			return n, n != "" && n != fmt.Sprint(uid)
		}
	}
	return h
}

// lookPath resolves a binary as exec.LookPath does, in the gathered files:
// an absolute or relative path must be an executable file; a bare name is
// searched in the usual system directories.
func lookPath(files *hostfs.Files, name string) (string, error) {
	isExec := func(p string) bool {
		st, err := files.StatFollow(p)
		return err == nil && st.Mode.IsRegular() && st.Mode&0o111 != 0
	}
	if strings.Contains(name, "/") {
		if isExec(name) {
			return name, nil
		}
		return "", fmt.Errorf("looking up %s: not an executable file under %s", name, files.Dir())
	}
	for _, p := range lookPathCandidates(name) {
		if isExec(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("looking up %s: not found in the system directories under %s", name, files.Dir())
}

// legacyPlugins lists plugin names in Docker's plugin directories:
// NAME.sock or NAME/NAME.sock, NAME.spec and NAME.json.
func legacyPlugins(files *hostfs.Files) []string {
	names := []string{}
	for _, d := range pluginDirs {
		ents, err := files.ReadDir(d)
		if err != nil {
			continue
		}
		for _, n := range ents {
			st, err := files.Lstat(d + "/" + n)
			switch {
			case err != nil:
			case st.Mode.IsDir():
				if _, err := files.StatFollow(d + "/" + n + "/" + n + ".sock"); err == nil {
					names = append(names, n)
				}
			case strings.HasSuffix(n, ".sock"), strings.HasSuffix(n, ".spec"), strings.HasSuffix(n, ".json"):
				names = append(names, n[:strings.LastIndex(n, ".")])
			}
		}
	}
	return names
}

// hostStorageDrivers returns the drivers a data root at dataRoot (or its
// nearest existing parent) can use on the running kernel.
func hostStorageDrivers(f *hostfs.Facts, dataRoot string) []string {
	kernel := map[string]bool{}
	for _, line := range strings.Split(string(f.Dockerd.Filesystems.Data), "\n") {
		if fl := strings.Fields(line); len(fl) > 0 {
			kernel[fl[len(fl)-1]] = true
		}
	}
	st, _ := f.Files.FS(dataRoot) // unknown: type 0, no driver of its own
	drivers := []string{"vfs"}
	if kernel["overlay"] && st.Type != fsOverlay {
		drivers = append(drivers, "overlay2", "overlay")
	}
	if st.Type == fsBtrfs {
		drivers = append(drivers, "btrfs")
	}
	if st.Type == fsZFS {
		drivers = append(drivers, "zfs")
	}
	if kernel["aufs"] {
		drivers = append(drivers, "aufs")
	}
	if _, err := f.Files.StatFollow("/dev/fuse"); err == nil {
		if _, err := lookPath(f.Files, "fuse-overlayfs"); err == nil {
			drivers = append(drivers, "fuse-overlayfs")
		}
	}
	return drivers
}

// projectQuota reports whether dataRoot is on xfs mounted with project
// quota, and names the filesystem type.
func projectQuota(f *hostfs.Facts, dataRoot string) (string, bool) {
	st, _ := f.Files.FS(dataRoot)
	if st.Type != fsXFS {
		return fsName(st.Type), false
	}
	opts, ok := hostfs.MountOptions(f.Dockerd.MountInfo.Data, f.Files.HostPath(st.Path))
	if !ok {
		return "xfs", false
	}
	for _, o := range opts {
		if o == "prjquota" || o == "pquota" || o == "pqnoenforce" {
			return "xfs", true
		}
	}
	return "xfs without pquota", false
}

func fsName(t int64) string {
	switch t {
	case 0xef53:
		return "extfs"
	case fsBtrfs:
		return "btrfs"
	case fsZFS:
		return "zfs"
	case fsOverlay:
		return "overlayfs"
	case 0x01021994:
		return "tmpfs"
	}
	return fmt.Sprintf("a filesystem of type 0x%x", t)
}

// localAddr reports whether ip is assigned to an interface of this network
// namespace (or is unspecified, which binds every address).
func localAddr(ip net.IP) bool {
	if ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // unknown: do not claim it cannot be bound
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}
