package hostfs

import (
	"errors"
	"os"
	"slices"
	"strings"
)

// Facts are the inputs that more than one check of a host needs, each read
// once, through the root: daemon.json (raw and merged with dockerd's
// command line), /etc/passwd and /etc/group, and the mount table. A check
// handed Facts reads none of them again, so every check judges the same
// bytes.
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
	// Reads counts the files Gather read, by in-root path.
	Reads map[string]int
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
	f := Facts{Reads: map[string]int{}}
	configs := map[string]configRead{}
	load := func(args []string) Daemon {
		flags := ParseDockerdArgs(args)
		d := Daemon{ConfigFile: DefaultConfigFile}
		if opts.ConfigFile != "" {
			d.ConfigFile = Clean(opts.ConfigFile)
		}
		if flags.ConfigFile != "" {
			d.ConfigFile = Clean(flags.ConfigFile)
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
	f.Daemon = discover(r, opts, load)
	f.DaemonJSON = configs[f.Daemon.ConfigFile].data

	acc, err := LoadAccounts(r)
	f.Reads["/etc/passwd"]++
	f.Reads["/etc/group"]++
	if err != nil {
		f.AccountsErr = err
		acc = &Accounts{}
	}
	f.Accounts = acc
	if r.Live() {
		f.MountInfo, f.MountInfoErr = r.ReadFile("/proc/self/mountinfo", maxMountInfo)
		f.Reads["/proc/self/mountinfo"]++
	}
	return f
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
func discover(r *Root, opts GatherOptions, load func(args []string) Daemon) Daemon {
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
	want := r.canonical(socket)
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
			paths = append(paths, SystemdListenStreams(r, "docker.socket")...)
		}
		if slices.ContainsFunc(paths, func(p string) bool { return r.canonical(p) == want }) {
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
