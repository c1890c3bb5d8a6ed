package daemonconf

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// LocalHostFacts reads the facts Validate needs from the host whose root
// filesystem is at root ("/" for this host; "/host" when safedock runs in a
// container with the host's root mounted there). Users and groups come from
// root's /etc/passwd and /etc/group, files and binaries are looked up under
// root, authorization plugins in Docker's plugin directories, the storage
// drivers from the running kernel and the filesystem of the data root
// (the file's data-root, --data-root, or /var/lib/docker), the init system from /run/systemd/system, the
// socket unit from the systemd unit directories, addresses from this
// network namespace's interfaces, and dockerd's RLIMIT_NOFILE from a
// running dockerd (unknown when none runs). It reads only; it never binds
// or writes anything.
func LocalHostFacts(root string) (*HostFacts, error) {
	if root == "" {
		root = "/"
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("reading host facts: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("reading host facts: %s is not a directory", root)
	}
	at := func(p string) string { return filepath.Join(root, p) }
	// Read on first use: a caller that already holds the accounts (the
	// whole-host audit) replaces the three functions below, and the files
	// are then not read twice.
	passwdOnce := sync.OnceValue(func() [][]string { return readColonFile(at("/etc/passwd")) })
	groupOnce := sync.OnceValue(func() [][]string { return readColonFile(at("/etc/group")) })
	h := &HostFacts{
		PathExists: func(p string) bool { _, err := os.Stat(at(p)); return err == nil },
		SocketExists: func(p string) bool {
			fi, err := os.Stat(at(p))
			return err == nil && fi.Mode()&os.ModeSocket != 0
		},
		UserExists: func(name string) bool {
			for _, e := range passwdOnce() {
				if e[0] == name {
					return true
				}
			}
			return false
		},
		LookupUID: func(uid int) (string, bool) {
			for _, e := range passwdOnce() {
				if len(e) > 2 && e[2] == strconv.Itoa(uid) {
					return e[0], true
				}
			}
			return "", false
		},
		GroupExists: func(name string) bool {
			for _, e := range groupOnce() {
				if e[0] == name {
					return true
				}
			}
			return false
		},
		LookPath:       func(name string) (string, error) { return lookPathUnder(root, name) },
		AuthzPlugins:   legacyPlugins(root),
		StorageDrivers: localStorageDrivers(at("/var/lib/docker")),
		DataRootDrivers: func(dataRoot string) []string {
			return localStorageDrivers(at(dataRoot))
		},
		ProjectQuota: func(dataRoot string) (string, bool) {
			return projectQuota(at(dataRoot))
		},
		Init:           "other",
		AddrAssignable: localAddr,
	}
	if fi, err := os.Stat(at("/run/systemd/system")); err == nil && fi.IsDir() {
		h.Init = "systemd"
	}
	socket := false
	for _, d := range []string{"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"} {
		if _, err := os.Stat(at(filepath.Join(d, "docker.socket"))); err == nil {
			socket = true
		}
	}
	h.SocketActivation = func() bool { return socket && h.Init == "systemd" }
	if root == "/" {
		h.NofileHardLimit = runningDockerdNofile()
	}
	return h, nil
}

// readColonFile reads /etc/passwd-like files; missing files read as empty.
func readColonFile(path string) [][]string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out
}

// lookPathUnder resolves a binary as exec.LookPath does, under root: an
// absolute or relative path must be an executable file; a bare name is
// searched in the usual system directories.
func lookPathUnder(root, name string) (string, error) {
	isExec := func(p string) bool {
		fi, err := os.Stat(filepath.Join(root, p))
		return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
	}
	if strings.Contains(name, "/") {
		if isExec(name) {
			return name, nil
		}
		return "", fmt.Errorf("looking up %s: not an executable file under %s", name, root)
	}
	for _, d := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		if p := filepath.Join(d, name); isExec(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("looking up %s: not found in the system directories under %s", name, root)
}

// legacyPlugins lists plugin names under Docker's plugin directories:
// NAME.sock or NAME/NAME.sock, NAME.spec and NAME.json.
func legacyPlugins(root string) []string {
	names := []string{}
	for _, d := range pluginDirs {
		ents, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			switch {
			case e.IsDir():
				if _, err := os.Stat(filepath.Join(root, d, n, n+".sock")); err == nil {
					names = append(names, n)
				}
			case strings.HasSuffix(n, ".sock"), strings.HasSuffix(n, ".spec"), strings.HasSuffix(n, ".json"):
				names = append(names, strings.TrimSuffix(n, filepath.Ext(n)))
			}
		}
	}
	return names
}

// localStorageDrivers returns the drivers a data root at dataRoot (or its
// nearest existing parent) can use on the running kernel.
func localStorageDrivers(dataRoot string) []string {
	kernel := map[string]bool{}
	if b, err := os.ReadFile("/proc/filesystems"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 0 {
				kernel[f[len(f)-1]] = true
			}
		}
	}
	_, st := statfsUp(dataRoot)
	drivers := []string{"vfs"}
	fsType := int64(st.Type) //nolint:unconvert // the field's width differs between architectures
	if kernel["overlay"] && fsType != fsOverlay {
		drivers = append(drivers, "overlay2", "overlay")
	}
	if fsType == fsBtrfs {
		drivers = append(drivers, "btrfs")
	}
	if fsType == fsZFS {
		drivers = append(drivers, "zfs")
	}
	if kernel["aufs"] {
		drivers = append(drivers, "aufs")
	}
	if _, err := os.Stat("/dev/fuse"); err == nil {
		if _, err := lookPathUnder("/", "fuse-overlayfs"); err == nil {
			drivers = append(drivers, "fuse-overlayfs")
		}
	}
	return drivers
}

// statfsUp statfs()es p or its nearest existing parent, returning the path
// that answered.
func statfsUp(p string) (string, syscall.Statfs_t) {
	var st syscall.Statfs_t
	for {
		if err := syscall.Statfs(p, &st); err == nil {
			return p, st
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p, st
		}
		p = parent
	}
}

// projectQuota reports whether dataRoot is on xfs mounted with project
// quota, and names the filesystem type.
func projectQuota(dataRoot string) (string, bool) {
	p, st := statfsUp(dataRoot)
	if int64(st.Type) != fsXFS { //nolint:unconvert // the field's width differs between architectures
		return fsName(int64(st.Type)), false //nolint:unconvert // as above
	}
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return "xfs", false
	}
	best, opts := "", ""
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		if (p == f[1] || strings.HasPrefix(p, strings.TrimSuffix(f[1], "/")+"/")) && len(f[1]) > len(best) {
			best, opts = f[1], f[3]
		}
	}
	for _, o := range strings.Split(opts, ",") {
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

// runningDockerdNofile returns the hard RLIMIT_NOFILE of a running
// dockerd, or 0 when none runs or its limits cannot be read.
func runningDockerdNofile() uint64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || strings.TrimSpace(string(b)) != "dockerd" {
			continue
		}
		lim, err := os.ReadFile(filepath.Join(filepath.Dir(p), "limits"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(lim), "\n") {
			if !strings.HasPrefix(line, "Max open files") {
				continue
			}
			f := strings.Fields(line)
			if len(f) >= 5 {
				if n, err := strconv.ParseUint(f[4], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return 0
}
