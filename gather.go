package safedock

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/system"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/podmanconf"
)

// hostInputs are the host-side inputs of the whole-host audit, each read
// once through the root (hostfs: no lookup leaves it) and handed, typed, to
// every section that needs them. No section opens a file itself: not
// daemon.json, the accounts, the mount table, os-release, /proc's kernel
// files, the audit rules or the units, and the metadata of Docker's files
// is looked up in Facts.Files.
type hostInputs struct {
	// Root is the audited root, "/" for this machine.
	Root string
	// Facts are daemon.json (raw and merged with the running dockerd's
	// command line), the accounts, the mount table, os-release, the kernel's
	// facts, the audit rules, the units and Docker's files' metadata.
	Facts hostfs.Facts
	// Config is daemon.json parsed (nil when absent or not a JSON object).
	Config *daemonconf.Config
	// Sockets are the daemon's own unix sockets and containerd's, from the
	// merged configuration (see socketPaths).
	Sockets []string
	// Rootless, for a daemon in rootless mode, says where it keeps its
	// files; Facts are then read from there (the user's daemon.json) with
	// its defaults (data root, exec root, socket) filled in.
	Rootless *RootlessPaths
	// RootlessOwner is who the rootless daemon's own files belong to (nil
	// when not rootless or not known).
	RootlessOwner *perms.Owner
	// Podman are Podman's configuration files and PodmanFiles the
	// metadata of its files and sockets, judged when the engine is Podman.
	Podman      podmanconf.Inputs
	PodmanFiles []podmanconf.FileFacts
}

// gatherHost reads the host-side inputs of root once. socket is the
// in-root path of the socket the client talks to ("" when not a unix
// socket). info is the daemon's /info (nil when it did not answer): for a
// rootless daemon the user's daemon.json, socket and data root are the
// ones read and judged.
func gatherHost(root, socket string, info *system.Info) (*hostInputs, error) {
	r, err := hostfs.Open(root)
	if err != nil {
		return nil, fmt.Errorf("gathering host inputs: %w", err)
	}
	defer r.Close()
	opts := hostfs.GatherOptions{Socket: socket}
	var rootless *RootlessPaths
	if IsRootless(info) {
		// The user's home comes from the data root when it is the default
		// one; otherwise from /etc/passwd by the socket's UID.
		// The accounts read here are the gathered ones (read once).
		var acc *hostfs.Accounts
		if !strings.HasSuffix(hostfs.Clean(info.DockerRootDir), rootlessDataRootSuffix) {
			acc, opts.AccountsErr = hostfs.LoadAccounts(r)
			opts.Accounts = acc
		}
		p, err := FindRootlessPaths(info, socket, acc)
		if err != nil {
			return nil, fmt.Errorf("gathering host inputs: %w", err)
		}
		rootless = &p
		opts.ConfigFile = p.ConfigFile
		// The rootless defaults filled in below name files the sections
		// look at: their metadata is gathered with the rest.
		opts.Paths = []string{p.DataRoot, p.Socket, p.ExecRoot, p.ExecRoot + "/containerd/containerd.sock"}
		if socket == "" {
			opts.Socket = p.Socket
		}
	}
	in := &hostInputs{Root: root, Facts: hostfs.Gather(r, opts), Rootless: rootless}
	if rootless != nil {
		in.Facts.Daemon = withRootlessDefaults(in.Facts.Daemon, *rootless)
		if rootless.User == "" {
			if uid := rootless.UID; uid != 0 {
				if n := in.Facts.Accounts.UserName(uid); n != strconv.FormatUint(uint64(uid), 10) {
					rootless.User = n
				}
			}
		}
	}
	if rootless != nil {
		in.RootlessOwner = rootlessOwner(r, in.Facts.Accounts, *rootless)
	}
	if in.Facts.DaemonJSON != nil {
		if c, err := daemonconf.Parse(in.Facts.DaemonJSON); err == nil {
			in.Config = c
		}
	}
	// The files daemon.json and dockerd's flags name (seccomp profile, TLS
	// files, runtimes, the data root's filesystem...), which the daemon
	// section judges, are known now: gathered in the same pass.
	daemonconf.GatherHostFacts(r, &in.Facts, in.Facts.DaemonJSON, in.dockerdArgs())
	in.Sockets = daemonSockets(in.Facts)
	in.Podman, in.PodmanFiles = gatherPodman(r, in.Facts.Accounts, socket)
	if in.Facts.Daemon.Process != nil && r.Live() {
		// The socket the running dockerd was found behind.
		if socket == "" {
			socket = hostfs.DefaultSocket
			if rootless != nil && rootless.Socket != "" {
				socket = rootless.Socket
			}
		}
		in.Sockets = append(in.Sockets, socket)
	}
	return in, nil
}

// daemonSockets are the unix sockets of the gathered daemon and of its
// containerd: daemon.json "hosts" and dockerd's -H flags (merged as dockerd
// does), systemd's docker.socket when dockerd is socket-activated, and
// containerd's sockets.
func daemonSockets(f hostfs.Facts) []string {
	paths, fd := f.Daemon.Settings.UnixSockets()
	out := slices.Clone(paths)
	if fd {
		out = append(out, f.ListenStreams...)
	}
	ctrd, _ := f.Daemon.ContainerdSockets(f.Files)
	return append(out, ctrd...)
}

// gatherPaths adds the metadata of paths learnt after the gather (the data
// root /info names) to the gathered files, through the root.
func (in *hostInputs) gatherPaths(paths ...string) {
	if len(paths) == 0 {
		return
	}
	r, err := hostfs.Open(in.Root)
	if err != nil {
		return
	}
	defer r.Close()
	in.Facts.Files.Gather(r, paths...)
}

// dockerdArgs are the running dockerd's arguments, or an empty list.
func (in *hostInputs) dockerdArgs() []string {
	if p := in.Facts.Daemon.Process; p != nil {
		return slices.Clone(p.Args)
	}
	return []string{}
}

// noNewPrivileges says whether dockerd sets no-new-privileges on every
// container: daemon.json "no-new-privileges": true or --no-new-privileges.
func (in *hostInputs) noNewPrivileges() bool {
	if v, ok := hostfs.DockerdFlag(in.dockerdArgs(), "no-new-privileges", true); ok {
		b, err := strconv.ParseBool(v)
		return err == nil && b
	}
	if in.Config != nil {
		if b, ok := in.Config.Bool("no-new-privileges"); ok {
			return b
		}
	}
	return false
}

// seccompProfile is dockerd's default seccomp profile: --seccomp-profile,
// else daemon.json "seccomp-profile" ("" means the built-in default).
func (in *hostInputs) seccompProfile() string {
	if v, ok := hostfs.DockerdFlag(in.dockerdArgs(), "seccomp-profile", false); ok {
		return v
	}
	if in.Config != nil {
		if s, ok := in.Config.String("seccomp-profile"); ok {
			return s
		}
	}
	return ""
}

// socketPaths are the host paths of every API socket of the daemon and its
// containerd: the client's own (DOCKER_HOST), the configured and
// socket-activated ones, the one the running dockerd was found listening
// on, and containerd's.
func (in *hostInputs) socketPaths(clientSocket string) []string {
	out := slices.Clone(in.Sockets)
	if clientSocket != "" {
		out = append(out, clientSocket)
	}
	for i, p := range out {
		out[i] = hostfs.Clean(p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// containerFacts are the host facts the container rules take from the
// host-side inputs (the rest comes from the daemon's /info). clientSocket
// is the unix socket the client talks to, "" for none (then the daemon is
// not local).
// The engine-wide defaults (no-new-privileges, the seccomp profile, the
// log driver and its options) count for every container that does not
// override them; the rules say so in their method ("daemon-default").
// They are the engine e's: dockerd's daemon.json and command line, or on
// Podman its merged containers.conf (podmanContainerDefaults).
func (in *hostInputs) containerFacts(h hardening.HostFacts, clientSocket string, e Engine) hardening.HostFacts {
	if in == nil {
		return h
	}
	if e.Kind == EnginePodman {
		h = podmanContainerDefaults(h, podmanconf.Load(in.Podman))
	} else {
		h.NoNewPrivileges = h.NoNewPrivileges || in.noNewPrivileges()
		if p := in.seccompProfile(); p != "" {
			h.SeccompProfile = p
		}
		if lc := in.logConfig(); lc != nil && h.LogConfig == nil {
			h.LogConfig = lc
		}
	}
	h.SocketPaths = append(slices.Clone(h.SocketPaths), in.socketPaths(clientSocket)...)
	return h
}

// logConfig is dockerd's default log driver and options: --log-driver,
// else daemon.json "log-driver" (default json-file), with daemon.json
// "log-opts"; nil when neither is configured.
func (in *hostInputs) logConfig() *container.LogConfig {
	driver, ok := hostfs.DockerdFlag(in.dockerdArgs(), "log-driver", false)
	var opts map[string]string
	if in.Config != nil {
		if !ok {
			driver, ok = in.Config.String("log-driver")
		}
		opts = in.Config.StringMap("log-opts")
	}
	if !ok && len(opts) == 0 {
		return nil
	}
	if driver == "" {
		driver = "json-file"
	}
	return &container.LogConfig{Type: driver, Config: opts}
}
