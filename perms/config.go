package perms

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
	"golang.org/x/sys/unix"
)

// Config says which system to check and what is known about its daemon.
// The zero value checks the live system ("/") using only daemon.json and
// dockerd's defaults; use Discover to add the running dockerd's command line.
type Config struct {
	// Root is the directory treated as "/": "" or "/" for this machine, or
	// the prefix of a mounted image or a test tree.
	Root string
	// DaemonJSON is the in-root path of daemon.json. Empty means the file
	// named by --config-file in DockerdArgs, else /etc/docker/daemon.json.
	DaemonJSON string
	// DockerdArgs are the running dockerd's arguments, without the program
	// name (see Discover). They win over daemon.json, as they do in dockerd.
	DockerdArgs []string

	// The fields below override what daemon.json and DockerdArgs say, for
	// callers that already know better (for example from the engine API).

	// DataRoot is the data root (not the <uid>.<gid> directory that
	// userns-remap adds below it).
	DataRoot string
	// Sockets are the unix socket paths the daemon listens on.
	Sockets []string
	// ContainerdSockets are the containerd sockets the daemon uses.
	ContainerdSockets []string
	// Facts, when set, are daemon.json, dockerd's command line and the
	// accounts already gathered (hostfs.Gather): Check reads none of them
	// again, and DaemonJSON and DockerdArgs are then ignored.
	Facts *hostfs.Facts
	// Rootless, when set, is the user a rootless dockerd runs as: the
	// daemon's own files (its daemon.json, its sockets and its data root)
	// are then expected to be owned by that user and group, not
	// root:root. The system's files (units, /etc/docker...) stay root's.
	Rootless *Owner
}

// Owner is the user and group a file is expected to be owned by when it
// is not root:root: a rootless daemon's user.
type Owner struct {
	// User is the user's name ("" when the accounts do not name it).
	User     string
	UID, GID uint32
	// SubGIDs are the user's subordinate group ID ranges (/etc/subgid): a
	// file the rootless daemon creates inside its user namespace with a
	// group other than the user's own (its socket's, for one) has a gid
	// in them, which only the user's namespaces can use.
	SubGIDs []IDRange
}

// IDRange is a range of IDs: Count IDs from Start.
type IDRange struct {
	Start, Count uint32
}

// Contains reports whether id is in the range.
func (r IDRange) Contains(id uint32) bool {
	return id >= r.Start && uint64(id) < uint64(r.Start)+uint64(r.Count)
}

// groupOK reports whether gid is the owner's group or one of its
// subordinate gids.
func (o Owner) groupOK(gid uint32) bool {
	return gid == o.GID || slices.ContainsFunc(o.SubGIDs, func(r IDRange) bool { return r.Contains(gid) })
}

// names are the owner's user and group names from acc (the ids when
// acc does not name them).
func (o Owner) names(acc *hostfs.Accounts) (user, group string) {
	user = o.User
	if user == "" {
		user = acc.UserName(o.UID)
	}
	group = acc.GroupName(o.GID)
	for _, r := range o.SubGIDs {
		group += fmt.Sprintf(" or a subordinate gid %d-%d", r.Start, uint64(r.Start)+uint64(r.Count)-1)
	}
	return user, group
}

// rootlessClasses are the classes of a rootless daemon's own files.
var rootlessClasses = []FileClass{DaemonJSON, DockerSock, DataRoot}

// Discover returns the Config of the daemon that serves socket (an in-root
// path; "" means the default /var/run/docker.sock) on root. When root is
// this machine's "/", the running dockerd's command line is read from
// /proc (choosing, among several dockerd processes, the one listening on
// socket); otherwise only the files under root are used.
func Discover(root, socket string) (Config, error) {
	r, err := hostfs.Open(root)
	if err != nil {
		return Config{}, fmt.Errorf("discovering daemon configuration: %w", err)
	}
	defer r.Close()
	d, err := hostfs.DiscoverDaemon(r, "/proc", socket)
	if err != nil {
		return Config{}, fmt.Errorf("discovering daemon configuration: %w", err)
	}
	cfg := Config{Root: root}
	if d.Process != nil {
		cfg.DockerdArgs = slices.Clone(d.Process.Args)
	}
	return cfg, nil
}

// Target is one path a file class (and so its two rules) applies to, and
// where that path came from.
type Target struct {
	Class FileClass
	// Path is the in-root path. It is empty when the configuration names no
	// file for the rule (Skip says why).
	Path string
	// Source says where Path came from, e.g. "daemon.json tlscacert",
	// "dockerd --host", "default".
	Source string
	// Skip, when set, is why the rule does not apply at all.
	Skip string
	// Kind, when set, overrides the kind of file the rule expects (the
	// certs.d directory itself is checked only for being a real directory).
	Kind Kind
	// Owner, when set, overrides the owner and group the class's Spec
	// expects (a rootless daemon's own files are its user's).
	Owner *Owner
}

// Name is how findings name the target: "file:/path", or "daemon:<rule>"
// when there is no path.
func (t Target) Name() string {
	if t.Path == "" {
		return "daemon:" + strings.TrimPrefix(string(t.Class), "file.")
	}
	return "file:" + t.Path
}

// Targets lists every file the rules apply to, from the configuration.
func Targets(cfg Config) ([]Target, error) {
	f, err := gather(cfg)
	if err != nil {
		return nil, fmt.Errorf("listing targets: %w", err)
	}
	ts, _ := targets(f.Files, f, cfg)
	return ts, nil
}

func source(d hostfs.Daemon, key, def string) string {
	if s, ok := d.Settings.Source[key]; ok {
		if strings.HasPrefix(s, "daemon.json") {
			return s + " " + key + " (" + d.ConfigFile + ")"
		}
		return s
	}
	return def
}

// targets resolves the configuration of the gathered facts f into
// targets, looking paths up in r (f's Files). It also returns the daemon
// configuration, whose ConfigErr the caller reports.
func targets(r hostfs.FS, f *hostfs.Facts, cfg Config) ([]Target, hostfs.Daemon) {
	d := f.Daemon
	var out []Target
	add := func(id FileClass, p, src string) {
		out = append(out, Target{Class: id, Path: hostfs.Clean(p), Source: src})
	}

	units := func(id FileClass, name string) {
		found := f.Units[name]
		if len(found) == 0 {
			out = append(out, Target{Class: id, Path: hostfs.Clean(hostfs.UnitDirs()[0] + "/" + name),
				Source: "systemd unit search", Skip: name + " is not installed in any of " + strings.Join(hostfs.UnitDirs(), ", ")})
			return
		}
		for _, p := range found {
			add(id, p, "systemd unit")
		}
	}
	units(DockerService, "docker.service")
	units(DockerSocketUnit, "docker.socket")

	add(EtcDocker, "/etc/docker", "fixed path")
	cfgSrc := "default"
	if cfg.DaemonJSON != "" {
		cfgSrc = "configured daemon.json path"
	} else if s, ok := d.Settings.Source["config-file"]; ok {
		cfgSrc = s
	}
	add(DaemonJSON, d.ConfigFile, cfgSrc)
	add(EtcDefaultDocker, "/etc/default/docker", "fixed path")
	add(SysconfigDocker, "/etc/sysconfig/docker", "fixed path")

	// Registry certificates: certs.d/<registry>/<file>, and stray files
	// directly in certs.d.
	const certsD = hostfs.CertsDir
	regs, err := r.ReadDir(certsD)
	switch st, lerr := r.Lstat(certsD); {
	case lerr == nil && st.Mode&fs.ModeSymlink != 0:
		out = append(out, Target{Class: RegistryCerts, Path: certsD, Source: "fixed path", Kind: Directory})
		regs = nil
	case err != nil:
		out = append(out, Target{Class: RegistryCerts, Path: certsD, Source: "fixed path", Skip: "no registry certificate directory (" + certsD + "): " + short(err)})
	case len(regs) == 0:
		out = append(out, Target{Class: RegistryCerts, Path: certsD, Source: "fixed path", Skip: certsD + " holds no registry certificates"})
	}
	for _, reg := range regs {
		p := certsD + "/" + reg
		st, err := r.Lstat(p)
		if err != nil {
			continue
		}
		if !st.Mode.IsDir() {
			add(RegistryCerts, p, "certs.d")
			continue
		}
		files, err := r.ReadDir(p)
		if err != nil {
			continue
		}
		for _, f := range files {
			add(RegistryCerts, p+"/"+f, "certs.d")
		}
	}

	// TLS files.
	tls := []struct {
		id   FileClass
		key  string
		val  string
		file string
	}{
		{TLSCACert, "tlscacert", d.Settings.TLSCACert, "ca.pem"},
		{TLSServerCert, "tlscert", d.Settings.TLSCert, "cert.pem"},
		{TLSServerKey, "tlskey", d.Settings.TLSKey, "key.pem"},
	}
	for _, t := range tls {
		switch {
		case t.val != "":
			add(t.id, t.val, source(d, t.key, ""))
		case d.Settings.TLSEnabled():
			// dockerd's default: ~/.docker of the user it runs as (root).
			add(t.id, "/root/.docker/"+t.file, "dockerd default for "+t.key+" (TLS is on)")
		default:
			out = append(out, Target{Class: t.id, Source: "configuration",
				Skip: "TLS is not configured: no " + t.key + ", tls or tlsverify in " + d.ConfigFile + " or on dockerd's command line"})
		}
	}

	// Docker sockets.
	if len(cfg.Sockets) > 0 {
		for _, s := range cfg.Sockets {
			add(DockerSock, s, "configured socket")
		}
	} else {
		paths, fd := d.Settings.UnixSockets()
		src := source(d, "hosts", "dockerd default socket")
		for _, p := range paths {
			add(DockerSock, p, src)
		}
		if fd {
			streams := f.ListenStreams
			for _, p := range streams {
				add(DockerSock, p, "docker.socket ListenStream (dockerd -H fd://)")
			}
			if len(streams) == 0 {
				add(DockerSock, "/run/docker.sock", "systemd activation default (dockerd -H fd://, no docker.socket found)")
			}
		}
	}

	// containerd sockets.
	if len(cfg.ContainerdSockets) > 0 {
		for _, s := range cfg.ContainerdSockets {
			add(ContainerdSock, s, "configured containerd socket")
		}
	} else {
		paths, src := d.ContainerdSockets(r)
		switch src {
		case "found":
			src = "found (system containerd, or the one dockerd runs under its exec root)"
		case "default":
			src = "default (neither socket exists)"
		}
		for _, p := range paths {
			add(ContainerdSock, p, src)
		}
	}

	dataRoot, src := cfg.DataRoot, "configured data root"
	if dataRoot == "" {
		dataRoot, src = d.DataRoot(), source(d, "data-root", "dockerd default data root")
	}
	// dockerd resolves symlinks in its data root (a symlinked
	// /var/lib/docker is a common way to move it), so the directory it
	// really uses is checked; resolution stays inside the root.
	if st, err := r.Lstat(dataRoot); err == nil && st.Mode&fs.ModeSymlink != 0 {
		if real, err := r.Resolve(dataRoot); err == nil {
			src += "; " + hostfs.Clean(dataRoot) + " is a symlink, resolved as dockerd does"
			dataRoot = real
		}
	}
	add(DataRoot, dataRoot, src)
	if cfg.Rootless != nil {
		for i, t := range out {
			if slices.Contains(rootlessClasses, t.Class) {
				o := *cfg.Rootless
				out[i].Owner = &o
			}
		}
	}
	return dedupe(r, out), d
}

// dedupe drops a target whose class and resolved file are already listed
// (for example /var/run/docker.sock and /run/docker.sock).
func dedupe(r hostfs.FS, ts []Target) []Target {
	seen := map[string]bool{}
	var out []Target
	for _, t := range ts {
		key := string(t.Class) + "\x00" + t.Path + "\x00" + t.Skip
		if t.Path != "" && t.Skip == "" {
			if st, err := r.Lstat(t.Path); err == nil {
				key = fmt.Sprintf("%s\x00%d:%d", t.Class, st.Dev, st.Ino)
			} else {
				key = string(t.Class) + "\x00" + r.Canonical(t.Path)
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, t)
	}
	return out
}

func short(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, unix.ENOTDIR):
		return "a parent is not a directory"
	case errors.Is(err, unix.ELOOP):
		return "too many symlinks"
	}
	return err.Error()
}
