package hostfs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// DaemonSettings are the few dockerd settings that name files, sockets and
// directories, or that decide which of them exist. Empty means "not set".
type DaemonSettings struct {
	ConfigFile    string
	DataRoot      string
	ExecRoot      string
	Hosts         []string
	TLS           *bool
	TLSVerify     *bool
	TLSCACert     string
	TLSCert       string
	TLSKey        string
	Containerd    string
	UsernsRemap   string
	StorageDriver string
	// Source says where each set key came from, e.g. "daemon.json" or
	// "dockerd --tlscacert". Keys are daemon.json key names.
	Source map[string]string
}

// Defaults of dockerd on Linux.
const (
	DefaultConfigFile = "/etc/docker/daemon.json"
	DefaultDataRoot   = "/var/lib/docker"
	DefaultExecRoot   = "/var/run/docker"
	DefaultSocket     = "/var/run/docker.sock"
	// SystemContainerdSocket is where a system containerd listens; dockerd
	// uses it when it exists and no --containerd is given.
	SystemContainerdSocket = "/run/containerd/containerd.sock"
)

const maxDaemonJSON = 1 << 20

// ParseDaemonJSON extracts the settings this package knows from a
// daemon.json document. It is deliberately small: it checks only the types
// of the keys it reads (package daemonconf validates the whole file). A
// document that is not a JSON object is an error; a known key with the wrong
// type is reported in the joined error and left unset.
func ParseDaemonJSON(data []byte) (DaemonSettings, error) {
	s := DaemonSettings{Source: map[string]string{}}
	if len(data) > maxDaemonJSON {
		return s, fmt.Errorf("parsing daemon.json: larger than %d bytes", maxDaemonJSON)
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return s, fmt.Errorf("parsing daemon.json: %w", err)
	}
	if raw == nil {
		return s, errors.New("parsing daemon.json: not a JSON object")
	}
	var errs []error
	str := func(key string, dst *string) {
		v, ok := raw[key]
		if !ok {
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			errs = append(errs, fmt.Errorf("daemon.json key %q: want a string", key))
			return
		}
		s.Source[key] = "daemon.json"
	}
	boolean := func(key string, dst **bool) {
		v, ok := raw[key]
		if !ok {
			return
		}
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			errs = append(errs, fmt.Errorf("daemon.json key %q: want true or false", key))
			return
		}
		*dst = &b
		s.Source[key] = "daemon.json"
	}
	str("data-root", &s.DataRoot)
	if s.DataRoot == "" {
		str("graph", &s.DataRoot) // removed in 23.0, read by older engines
		if s.DataRoot != "" {
			s.Source["data-root"] = "daemon.json (graph)"
		}
	}
	str("exec-root", &s.ExecRoot)
	str("tlscacert", &s.TLSCACert)
	str("tlscert", &s.TLSCert)
	str("tlskey", &s.TLSKey)
	str("containerd", &s.Containerd)
	str("userns-remap", &s.UsernsRemap)
	str("storage-driver", &s.StorageDriver)
	boolean("tls", &s.TLS)
	boolean("tlsverify", &s.TLSVerify)
	if v, ok := raw["hosts"]; ok {
		if err := json.Unmarshal(v, &s.Hosts); err != nil {
			errs = append(errs, errors.New(`daemon.json key "hosts": want a list of strings`))
			s.Hosts = nil
		} else {
			s.Source["hosts"] = "daemon.json"
		}
	}
	return s, errors.Join(errs...)
}

// flag names → daemon.json keys, for flags that take a value.
var valueFlags = map[string]string{
	"H": "hosts", "host": "hosts",
	"data-root": "data-root", "g": "data-root", "graph": "data-root",
	"exec-root":   "exec-root",
	"config-file": "config-file",
	"tlscacert":   "tlscacert", "tlscert": "tlscert", "tlskey": "tlskey",
	"containerd":   "containerd",
	"userns-remap": "userns-remap",
	"s":            "storage-driver", "storage-driver": "storage-driver",
}

var boolFlags = map[string]string{"tls": "tls", "tlsverify": "tlsverify"}

// ParseDockerdArgs extracts the same settings from dockerd's command-line
// arguments (without the program name). Flags it does not know are skipped;
// it never fails. "--" ends the flags.
func ParseDockerdArgs(args []string) DaemonSettings {
	s := DaemonSettings{Source: map[string]string{}}
	set := func(key, flag, val string) {
		s.Source[key] = "dockerd --" + flag
		switch key {
		case "hosts":
			s.Hosts = append(s.Hosts, val)
		case "data-root":
			s.DataRoot = val
		case "exec-root":
			s.ExecRoot = val
		case "config-file":
			s.ConfigFile = val
			delete(s.Source, key)
			s.Source["config-file"] = "dockerd --" + flag
		case "tlscacert":
			s.TLSCACert = val
		case "tlscert":
			s.TLSCert = val
		case "tlskey":
			s.TLSKey = val
		case "containerd":
			s.Containerd = val
		case "userns-remap":
			s.UsernsRemap = val
		case "storage-driver":
			s.StorageDriver = val
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, val, hasVal := "", "", false
		if strings.HasPrefix(a, "--") {
			name, val, hasVal = strings.Cut(a[2:], "=")
		} else {
			// shorthand: -H x, -H=x, -Hx
			name = a[1:2]
			rest := a[2:]
			if rest != "" {
				val, hasVal = strings.TrimPrefix(rest, "="), true
			}
		}
		if key, ok := boolFlags[name]; ok {
			b := true
			if hasVal {
				v, err := strconv.ParseBool(val)
				if err != nil {
					continue
				}
				b = v
			}
			if key == "tls" {
				s.TLS = &b
			} else {
				s.TLSVerify = &b
			}
			s.Source[key] = "dockerd --" + name
			continue
		}
		key, ok := valueFlags[name]
		if !ok {
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				continue
			}
			i++
			val = args[i]
		}
		set(key, name, val)
	}
	return s
}

// Merge overlays flags on file: a value set on the command line wins (dockerd
// itself refuses to start when both set the same key differently, so either
// way the running daemon uses the flag's value).
func Merge(file, flags DaemonSettings) DaemonSettings {
	out := file
	out.Source = map[string]string{}
	for k, v := range file.Source {
		out.Source[k] = v
	}
	for k, v := range flags.Source {
		out.Source[k] = v
	}
	pick := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	pick(&out.ConfigFile, flags.ConfigFile)
	pick(&out.DataRoot, flags.DataRoot)
	pick(&out.ExecRoot, flags.ExecRoot)
	pick(&out.TLSCACert, flags.TLSCACert)
	pick(&out.TLSCert, flags.TLSCert)
	pick(&out.TLSKey, flags.TLSKey)
	pick(&out.Containerd, flags.Containerd)
	pick(&out.UsernsRemap, flags.UsernsRemap)
	pick(&out.StorageDriver, flags.StorageDriver)
	if flags.TLS != nil {
		out.TLS = flags.TLS
	}
	if flags.TLSVerify != nil {
		out.TLSVerify = flags.TLSVerify
	}
	if len(flags.Hosts) > 0 {
		out.Hosts = slices.Clone(flags.Hosts)
	}
	return out
}

// TLSEnabled reports whether dockerd serves TLS (--tls or --tlsverify).
func (s DaemonSettings) TLSEnabled() bool {
	return (s.TLS != nil && *s.TLS) || (s.TLSVerify != nil && *s.TLSVerify)
}

// UnixSockets returns the paths of the unix sockets among hosts, and
// whether "fd://" (systemd socket activation) is among them. No hosts means
// dockerd's default socket.
func (s DaemonSettings) UnixSockets() (paths []string, fd bool) {
	if len(s.Hosts) == 0 {
		return []string{DefaultSocket}, false
	}
	for _, h := range s.Hosts {
		switch {
		case strings.HasPrefix(h, "unix://"):
			p := strings.TrimPrefix(h, "unix://")
			if p == "" {
				p = DefaultSocket
			}
			paths = append(paths, p)
		case strings.HasPrefix(h, "fd://"):
			fd = true
		}
	}
	return paths, fd
}

// Process is a running dockerd.
type Process struct {
	PID  int
	Args []string // without the program name
	Exe  string   // resolved executable path, when readable
}

// FindDockerd lists the dockerd processes under procDir (normally "/proc"),
// ordered by PID. Unreadable processes are skipped.
func FindDockerd(procDir string) ([]Process, error) {
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var out []Process
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		if p, ok := readDockerd(procDir, pid); ok {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Process) int { return a.PID - b.PID })
	return out, nil
}

// readDockerd returns the process pid under procDir if it is a dockerd.
func readDockerd(procDir string, pid int) (Process, bool) {
	dir := filepath.Join(procDir, strconv.Itoa(pid))
	comm, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil || strings.TrimSpace(string(comm)) != "dockerd" {
		return Process{}, false
	}
	cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return Process{}, false
	}
	args := SplitCmdline(cmdline)
	if len(args) > 0 {
		args = args[1:]
	}
	p := Process{PID: pid, Args: args}
	if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
		p.Exe = exe
	}
	return p, true
}

// socketPeer returns the PID of the process that listens on the unix
// socket at path (SO_PEERCRED of a connection to it), so the daemon is found
// without reading every process. Socket activation makes the listener
// systemd, which the caller then rejects.
func socketPeer(path string) (int, error) {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var serr error
	if err := raw.Control(func(fd uintptr) { cred, serr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil {
		return 0, err
	}
	if serr != nil {
		return 0, serr
	}
	return int(cred.Pid), nil
}

// SplitCmdline splits a /proc/PID/cmdline image into arguments.
func SplitCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// Daemon is what is known about one dockerd: its command line (when it
// runs on the examined root) and its configuration file, merged.
type Daemon struct {
	// Process is the running dockerd, or nil (not running, or the root is
	// not this machine's).
	Process *Process
	// Settings merge daemon.json and the command line; defaults are not
	// filled in.
	Settings DaemonSettings
	// ConfigFile is the in-root path of daemon.json that was read (or would
	// have been, when ConfigFound is false).
	ConfigFile  string
	ConfigFound bool
	// ConfigErr is why daemon.json could not be read or parsed (nil when it
	// is absent or fine).
	ConfigErr error
}

// LoadDaemon reads daemon.json and merges it with dockerd's arguments. The
// file is configFile when given, else the one named by --config-file in
// args, else the default.
func LoadDaemon(r *Root, args []string, configFile string) Daemon {
	flags := ParseDockerdArgs(args)
	d := Daemon{ConfigFile: DefaultConfigFile}
	switch {
	case configFile != "":
		d.ConfigFile = Clean(configFile)
	case flags.ConfigFile != "":
		d.ConfigFile = Clean(flags.ConfigFile)
	}
	data, err := r.ReadFile(d.ConfigFile, maxDaemonJSON)
	var file DaemonSettings
	switch {
	case err == nil:
		d.ConfigFound = true
		file, err = ParseDaemonJSON(data)
		if err != nil {
			d.ConfigErr = err
		}
	case errors.Is(err, os.ErrNotExist):
	default:
		d.ConfigErr = err
	}
	d.Settings = Merge(file, flags)
	return d
}

// DiscoverDaemon finds the dockerd that serves socket (an in-root path;
// empty means the default socket) among the processes under procDir, and
// loads its configuration. On a root that is not this machine's "/", or
// when no dockerd runs, only the configuration file is read.
func DiscoverDaemon(r *Root, procDir, socket string) (Daemon, error) {
	if socket == "" {
		socket = DefaultSocket
	}
	if !r.Live() {
		return LoadDaemon(r, nil, ""), nil
	}
	want := r.canonical(socket)
	// The socket's listener, when it is a dockerd, is the one: no need to
	// read every process.
	if pid, err := socketPeer(r.HostPath(socket)); err == nil && procDir == "/proc" {
		if p, ok := readDockerd(procDir, pid); ok {
			d := LoadDaemon(r, p.Args, "")
			d.Process = &p
			return d, nil
		}
	}
	procs, err := FindDockerd(procDir)
	if err != nil {
		return Daemon{}, err
	}
	var first *Daemon
	for i := range procs {
		d := LoadDaemon(r, procs[i].Args, "")
		d.Process = &procs[i]
		paths, fd := d.Settings.UnixSockets()
		if fd {
			paths = append(paths, SystemdListenStreams(r, "docker.socket")...)
		}
		for _, p := range paths {
			if r.canonical(p) == want {
				return d, nil
			}
		}
		if first == nil {
			first = &d
		}
	}
	if first != nil {
		return *first, nil
	}
	return LoadDaemon(r, nil, ""), nil
}

// canonical resolves p's directories inside the root (so /var/run/x and
// /run/x compare equal when /var/run links to /run).
func (r *Root) canonical(p string) string {
	if st, err := r.Lstat(p); err == nil {
		return st.Resolved
	}
	return Clean(p)
}

// Canonical is the exported form of canonical: p with its directories
// resolved inside the root, or p cleaned when it does not exist.
func (r *Root) Canonical(p string) string { return r.canonical(p) }

// UnitDirs are where distributions install systemd units, most specific
// last (an /etc unit overrides a /lib one).
func UnitDirs() []string {
	return []string{"/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"}
}

// FindUnits returns every in-root path of the unit file name in UnitDirs
// (and its drop-in directory's *.conf files), skipping paths that resolve to
// a file already listed.
func FindUnits(r FS, name string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		st, err := r.Lstat(p)
		if err != nil {
			return
		}
		key := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, p)
	}
	for _, dir := range UnitDirs() {
		add(dir + "/" + name)
		dropins, err := r.ReadDir(dir + "/" + name + ".d")
		if err != nil {
			continue
		}
		for _, n := range dropins {
			if strings.HasSuffix(n, ".conf") {
				add(dir + "/" + name + ".d/" + n)
			}
		}
	}
	return out
}

// SystemdListenStreams returns the absolute paths among the ListenStream=
// lines of the named socket unit (the last definition wins per file, as
// systemd resets the list on an empty assignment).
func SystemdListenStreams(r *Root, unit string) []string {
	var out []string
	for _, p := range FindUnits(r, unit) {
		data, err := r.ReadFile(p, 1<<20)
		if err != nil {
			continue
		}
		out = append(out, ParseListenStreams(data)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ParseListenStreams returns the absolute paths assigned with ListenStream=
// in a systemd unit; an empty assignment clears the list.
func ParseListenStreams(data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) != "ListenStream" {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			out = nil
			continue
		}
		if strings.HasPrefix(v, "/") {
			out = append(out, v)
		}
	}
	return out
}

// ContainerdSockets returns the containerd sockets this daemon uses or may
// use: --containerd when given; otherwise the system containerd's socket
// and the one dockerd starts under its exec root, whichever exist (dockerd
// picks the system one when it is there and runs its own otherwise).
func (d Daemon) ContainerdSockets(r FS) (paths []string, source string) {
	if d.Settings.Containerd != "" {
		return []string{d.Settings.Containerd}, d.Settings.Source["containerd"]
	}
	exec := d.Settings.ExecRoot
	if exec == "" {
		exec = DefaultExecRoot
	}
	managed := exec + "/containerd/containerd.sock"
	for _, p := range []string{SystemContainerdSocket, managed} {
		if r.Exists(p) {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return []string{SystemContainerdSocket, managed}, "default"
	}
	return paths, "found"
}

// DataRoot is the configured data root, or the default.
func (d Daemon) DataRoot() string {
	if d.Settings.DataRoot != "" {
		return d.Settings.DataRoot
	}
	return DefaultDataRoot
}
