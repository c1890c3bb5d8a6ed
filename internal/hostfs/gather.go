package hostfs

import (
	"errors"
	"os"
	"slices"
	"strings"
)

// Facts are the host's inputs that the checks of a host judge, each read
// once, through the root (no lookup leaves it): daemon.json (raw and merged
// with dockerd's command line), /etc/passwd and /etc/group, the mount
// table, os-release, the kernel's facts under /proc, the persisted auditd
// rules, the systemd units and docker.socket's listen streams, and the
// metadata (lstat, directory listing, resolution) of every Docker file a
// check looks at. A check handed Facts reads none of them again, so every
// check judges the same bytes.
type Facts struct {
	// Daemon is the running dockerd (on a live root) with daemon.json and
	// its command line merged, as LoadDaemon and DiscoverDaemon return it.
	Daemon Daemon
	// DaemonJSON is daemon.json as read; nil when it is absent or could not
	// be read (Daemon.ConfigErr then says why).
	DaemonJSON []byte
	// Accounts are the root's users and groups; AccountsErr is why they
	// could not be read (Accounts is then empty, never nil).
	Accounts    *Accounts
	AccountsErr error
	// MountInfo is /proc/self/mountinfo on a live root; nil on other roots
	// or when unreadable (MountInfoErr).
	MountInfo    []byte
	MountInfoErr error
	// OSRelease is the first of /etc/os-release and /usr/lib/os-release
	// that could be read (Err is the last failure when none could).
	OSRelease Content
	// Kernel are the kernel's facts under /proc (a live root only).
	Kernel Kernel
	// AuditRules are the persisted auditd rules: each readable
	// /etc/audit/rules.d/*.rules, in name order, then
	// /etc/audit/audit.rules when it exists.
	AuditRules []Content
	// Units are the in-root paths of the systemd units docker.service,
	// docker.socket, podman.service and podman.socket (with their
	// drop-ins), by unit name (FindUnits).
	Units map[string][]string
	// ListenStreams are the absolute ListenStream= paths of docker.socket
	// (SystemdListenStreams), read once.
	ListenStreams []string
	// Dockerd are the running kernel's filesystems and mount table and the
	// running dockerd's limits (GatherDockerdHost; empty until it runs).
	Dockerd DockerdHost
	// Files are the lstat results, listings and resolutions of Docker's
	// files: the fixed paths, the units, the sockets, the data root, the
	// TLS files, the registry certificates, the binaries and
	// GatherOptions.Paths. Never nil after Gather.
	Files *Files
	// Reads counts the files Gather read, by in-root path.
	Reads map[string]int
}

// Content is one file as read.
type Content struct {
	// Path is the in-root path read.
	Path string
	// Data is the content; nil when it could not be read (Err).
	Data []byte
	Err  error
}

// Kernel are the kernel facts the host checks judge, read on a live root
// only (a mounted image's /proc is not its kernel).
type Kernel struct {
	// Release is /proc/sys/kernel/osrelease.
	Release Content
	// Filesystems is /proc/filesystems.
	Filesystems Content
	// MaxUserNamespaces is /proc/sys/user/max_user_namespaces.
	MaxUserNamespaces Content
	// Status is /proc/self/status (its Seccomp: field).
	Status Content
}

// GatherOptions say which daemon Gather looks at.
type GatherOptions struct {
	// ProcDir is where processes are listed (default "/proc").
	ProcDir string
	// Socket is the in-root path of the socket of the daemon being examined
	// ("" means the default socket).
	Socket string
	// Args, when not nil, are dockerd's arguments: no process is looked for.
	Args []string
	// ConfigFile is the in-root path of daemon.json when dockerd's command
	// line names none (default DefaultConfigFile): a rootless dockerd reads
	// ~/.config/docker/daemon.json instead.
	ConfigFile string
	// ForceConfigFile, when set, is the in-root path of daemon.json,
	// whatever --config-file says (a caller that knows the file).
	ForceConfigFile string
	// Paths are more in-root paths whose metadata Files must hold (a
	// caller's own socket or data root).
	Paths []string
	// Accounts, when set, are the root's accounts the caller already read
	// (LoadAccounts, with its error AccountsErr): Gather does not read
	// /etc/passwd and /etc/group again.
	Accounts    *Accounts
	AccountsErr error
}

// maxMountInfo bounds the mount table Gather reads.
const maxMountInfo = 8 << 20

// Gather reads the facts of root. On a live root it finds the dockerd that
// serves opts.Socket (the socket's listener, else the dockerd whose
// configured sockets include it, else the first dockerd) as DiscoverDaemon
// does, but reads each daemon.json path at most once however many dockerd
// processes run. Nothing here fails: what could not be read is recorded in
// the errors of the result.
func Gather(r *Root, opts GatherOptions) Facts {
	f := Facts{Reads: map[string]int{}, Files: newFiles(r)}
	rec := &recorder{r: r, f: f.Files}
	f.Units = map[string][]string{}
	for _, u := range []string{"docker.service", "docker.socket", "podman.service", "podman.socket"} {
		f.Units[u] = FindUnits(rec, u)
	}
	for _, p := range f.Units["docker.socket"] {
		data, err := r.ReadFile(p, 1<<20)
		f.Reads[p]++
		if err == nil {
			f.ListenStreams = append(f.ListenStreams, ParseListenStreams(data)...)
		}
	}
	slices.Sort(f.ListenStreams)
	f.ListenStreams = slices.Compact(f.ListenStreams)

	configs := map[string]configRead{}
	load := func(args []string) Daemon {
		flags := ParseDockerdArgs(args)
		d := Daemon{ConfigFile: DefaultConfigFile}
		switch {
		case opts.ForceConfigFile != "":
			d.ConfigFile = Clean(opts.ForceConfigFile)
		case flags.ConfigFile != "":
			d.ConfigFile = Clean(flags.ConfigFile)
		case opts.ConfigFile != "":
			d.ConfigFile = Clean(opts.ConfigFile)
		}
		c, ok := configs[d.ConfigFile]
		if !ok {
			c = readConfig(r, d.ConfigFile)
			configs[d.ConfigFile] = c
			f.Reads[d.ConfigFile]++
		}
		d.ConfigFound, d.ConfigErr = c.found, c.err
		d.Settings = Merge(c.settings, flags)
		return d
	}
	f.Daemon = discover(r, rec, opts, f.ListenStreams, load)
	f.DaemonJSON = configs[f.Daemon.ConfigFile].data

	acc, err := opts.Accounts, opts.AccountsErr
	if acc == nil && err == nil {
		acc, err = LoadAccounts(r)
		f.Reads["/etc/passwd"]++
		f.Reads["/etc/group"]++
	}
	if err != nil {
		f.AccountsErr = err
		acc = &Accounts{}
	}
	f.Accounts = acc
	read := func(p string, max int64) Content {
		data, err := r.ReadFile(p, max)
		f.Reads[p]++
		return Content{Path: p, Data: data, Err: err}
	}
	if r.Live() {
		f.MountInfo, f.MountInfoErr = r.ReadFile("/proc/self/mountinfo", maxMountInfo)
		f.Reads["/proc/self/mountinfo"]++
		f.Kernel = Kernel{
			Release:           read("/proc/sys/kernel/osrelease", 4096),
			Filesystems:       read("/proc/filesystems", 1<<20),
			MaxUserNamespaces: read("/proc/sys/user/max_user_namespaces", 64),
			Status:            read("/proc/self/status", 1<<16),
		}
	}
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if f.OSRelease = read(p, 1<<16); f.OSRelease.Err == nil {
			break
		}
	}
	if names, err := rec.ReadDir("/etc/audit/rules.d"); err == nil {
		for _, n := range names {
			if strings.HasSuffix(n, ".rules") {
				if c := read("/etc/audit/rules.d/"+n, 4<<20); c.Err == nil {
					f.AuditRules = append(f.AuditRules, c)
				}
			}
		}
	}
	if c := read("/etc/audit/audit.rules", 4<<20); c.Err == nil {
		f.AuditRules = append(f.AuditRules, c)
	}
	gatherDockerFiles(rec, &f, opts)
	return f
}

// BinDirs returns where Docker's binaries are looked for, in order (a
// copy).
func BinDirs() []string {
	return []string{"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin"}
}

// binaries are the binaries of Docker and its containerd that a host's
// checks locate in BinDirs.
var binaries = []string{"dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v1", "containerd-shim-runc-v2", "runc", "podman"}

// fixedPaths are Docker's files and directories at fixed places.
var fixedPaths = []string{"/etc/docker", "/etc/default/docker", "/etc/sysconfig/docker", "/etc/containerd/config.toml", "/run/containerd", "/run/docker.sock", DefaultSocket,
	"/etc/containers", PodmanContainersConf, PodmanDefaultContainersConf, PodmanStorage, DefaultPodmanSocket}

// Podman's files at fixed places: rootful Podman's configuration
// directory, its containers.conf (the administrator's, else the
// distribution's defaults), its storage and its API socket
// (podman.socket's ListenStream).
const (
	PodmanContainersConf        = "/etc/containers/containers.conf"
	PodmanDefaultContainersConf = "/usr/share/containers/containers.conf"
	PodmanStorage               = "/var/lib/containers"
	DefaultPodmanSocket         = "/run/podman/podman.sock"
)

// CertsDir is the registry certificates' directory.
const CertsDir = "/etc/docker/certs.d"

// gatherDockerFiles records the metadata of every Docker file a check of
// the host looks at into f.Files.
func gatherDockerFiles(rec *recorder, f *Facts, opts GatherOptions) {
	d := f.Daemon
	paths := slices.Concat(fixedPaths, opts.Paths, []string{CertsDir, opts.Socket, d.ConfigFile, d.DataRoot(), "/sys/module/overlay"})
	socks, _ := d.Settings.UnixSockets()
	paths = append(paths, socks...)
	paths = append(paths, f.ListenStreams...)
	ctrd, _ := d.ContainerdSockets(rec)
	paths = append(paths, ctrd...)
	for _, p := range []string{d.Settings.TLSCACert, d.Settings.TLSCert, d.Settings.TLSKey} {
		paths = append(paths, p)
	}
	for _, n := range []string{"ca.pem", "cert.pem", "key.pem"} {
		paths = append(paths, "/root/.docker/"+n)
	}
	for _, dir := range BinDirs() {
		for _, b := range binaries {
			paths = append(paths, dir+"/"+b)
		}
	}
	for _, p := range paths {
		if p != "" {
			rec.examine(p)
		}
	}
	// Registry certificates: certs.d/<registry>/<file>, and stray files.
	regs, err := rec.ReadDir(CertsDir)
	if err != nil {
		return
	}
	for _, reg := range regs {
		p := CertsDir + "/" + reg
		st, err := rec.Lstat(p)
		if err != nil || !st.Mode.IsDir() {
			continue
		}
		files, err := rec.ReadDir(p)
		if err != nil {
			continue
		}
		for _, n := range files {
			rec.Exists(p + "/" + n)
		}
	}
}

// configRead is one daemon.json path, read and parsed.
type configRead struct {
	data     []byte
	settings DaemonSettings
	found    bool
	err      error
}

func readConfig(r *Root, p string) configRead {
	data, err := r.ReadFile(p, maxDaemonJSON)
	switch {
	case err == nil:
		s, perr := ParseDaemonJSON(data)
		return configRead{data: data, settings: s, found: true, err: perr}
	case errors.Is(err, os.ErrNotExist):
		return configRead{}
	default:
		return configRead{err: err}
	}
}

// discover picks the daemon as DiscoverDaemon does, loading configurations
// through load.
func discover(r *Root, fsys FS, opts GatherOptions, streams []string, load func(args []string) Daemon) Daemon {
	if opts.Args != nil || !r.Live() {
		return load(opts.Args)
	}
	procDir := opts.ProcDir
	if procDir == "" {
		procDir = "/proc"
	}
	socket := opts.Socket
	if socket == "" {
		socket = DefaultSocket
	}
	want := fsys.Canonical(socket)
	if pid, err := socketPeer(r.HostPath(socket)); err == nil && procDir == "/proc" {
		if p, ok := readDockerd(procDir, pid); ok {
			d := load(p.Args)
			d.Process = &p
			return d
		}
	}
	procs, err := FindDockerd(procDir)
	if err != nil {
		return load(nil)
	}
	var first *Daemon
	for i := range procs {
		d := load(procs[i].Args)
		d.Process = &procs[i]
		paths, fd := d.Settings.UnixSockets()
		if fd {
			paths = append(paths, streams...)
		}
		if slices.ContainsFunc(paths, func(p string) bool { return fsys.Canonical(p) == want }) {
			return d
		}
		if first == nil {
			first = &d
		}
	}
	if first != nil {
		return *first
	}
	return load(nil)
}

// DockerdFlag returns the value of dockerd's --name flag in args (without
// the program name; the last one wins, as in dockerd), and whether it is
// there. A boolean flag given bare has the value "true"; "--" ends the
// flags. It is for the settings ParseDockerdArgs does not extract
// (no-new-privileges, seccomp-profile).
func DockerdFlag(args []string, name string, boolean bool) (string, bool) {
	val, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "--") {
			continue
		}
		n, v, hasVal := strings.Cut(a[2:], "=")
		if n != name {
			continue
		}
		switch {
		case hasVal:
			val, found = v, true
		case boolean:
			val, found = "true", true
		case i+1 < len(args):
			i++
			val, found = args[i], true
		}
	}
	return val, found
}
