package hardening

import (
	"fmt"
	"maps"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// Waive loosens one rule on purpose. The reason is recorded on the
// container (label io.safedock.waive.<rule>) and the audit reports the rule
// as waived, never as passed.
func Waive(id rule.ID, reason string) Option {
	return func(sp *Spec) error {
		if _, ok := Rules().Lookup(id); !ok {
			return fmt.Errorf("waive %q: not a container rule (see hardening.Rules)", id)
		}
		return sp.Waivers.Waive(id, reason)
	}
}

var userPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?$`)
})

// WithUser sets the user (and optional group) the process runs as:
// "uid[:gid]" or "name[:group]". Root is accepted only with a waiver of
// container.non-root-user.
func WithUser(user string) Option {
	return func(sp *Spec) error {
		if !userPattern().MatchString(user) {
			return fmt.Errorf("user %q: want uid[:gid] or name[:group]", user)
		}
		sp.Config.User = user
		return nil
	}
}

// WithNonRootUser runs the process as nobody (65534:65534), which works in
// images that have no /etc/passwd.
func WithNonRootUser() Option { return WithUser(policy.DefaultUser) }

// WithAddedCapabilities adds capabilities back after ALL is dropped. Names
// are validated ("NET_BIND_SERVICE" or "CAP_NET_BIND_SERVICE"); powerful ones
// (SYS_ADMIN, NET_ADMIN, ...) need a waiver of container.capabilities.
//
// Added capabilities are effective only for a process running as root:
// Docker sets no ambient capabilities, so a non-root process starts with
// none of them, and no-new-privileges (a default) keeps file capabilities
// from granting them. Run, Create, Deploy and Modifiers therefore refuse
// them (ErrInvalidSpec) when the user (WithUser, or the image's USER) is
// not root: run as root with a waiver of container.non-root-user. Binding
// a port below 1024 needs no capability on dockerd 20.10 and later, which
// sets net.ipv4.ip_unprivileged_port_start=0 in containers. (Build itself
// accepts them: a spec exported elsewhere, e.g. to Kubernetes, is judged
// by that export.)
func WithAddedCapabilities(caps ...string) Option {
	return func(sp *Spec) error {
		for _, c := range caps {
			n, err := policy.ParseCapability(c)
			if err != nil {
				return err
			}
			if !slices.Contains(sp.HostConfig.CapAdd, n) {
				sp.HostConfig.CapAdd = append(sp.HostConfig.CapAdd, n)
			}
		}
		return nil
	}
}

// WithMemory sets the memory limit in bytes (at least policy.MinMemory,
// 6 MiB, the daemon's minimum).
func WithMemory(bytes int64) Option {
	return func(sp *Spec) error {
		if bytes < policy.MinMemory {
			return fmt.Errorf("memory %d bytes: the daemon's minimum is %d (6 MiB)", bytes, policy.MinMemory)
		}
		sp.HostConfig.Memory = bytes
		return nil
	}
}

// WithCPUShares sets the relative CPU weight (2 or more; 1024 is the
// daemon's default weight and does not count as set).
func WithCPUShares(shares int64) Option {
	return func(sp *Spec) error {
		if shares < policy.MinCPUShares || shares > policy.MaxCPUShares {
			return fmt.Errorf("cpu shares %d: want %d..%d", shares, policy.MinCPUShares, policy.MaxCPUShares)
		}
		sp.HostConfig.CPUShares = shares
		return nil
	}
}

// WithPidsLimit sets the maximum number of processes (1 or more).
func WithPidsLimit(n int64) Option {
	return func(sp *Spec) error {
		if n < 1 {
			return fmt.Errorf("pids limit %d: want 1 or more", n)
		}
		sp.HostConfig.PidsLimit = &n
		return nil
	}
}

// WithTmpfs mounts a tmpfs at an absolute path inside the container,
// replacing any tmpfs already set at that path. Empty
// options mean policy.DefaultTmpfs (rw,noexec,nosuid,nodev,size=64m,mode=1777).
func WithTmpfs(dst, options string) Option {
	return func(sp *Spec) error {
		d, err := containerPath(dst)
		if err != nil {
			return fmt.Errorf("tmpfs: %w", err)
		}
		if options == "" {
			options = policy.DefaultTmpfs
		}
		if sp.HostConfig.Tmpfs == nil {
			sp.HostConfig.Tmpfs = map[string]string{}
		}
		sp.HostConfig.Tmpfs[d] = options
		return nil
	}
}

func containerPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q inside the container must be absolute", p)
	}
	c := path.Clean(p)
	if c == "/" {
		return "", fmt.Errorf("path %q: cannot mount over /", p)
	}
	if strings.ContainsAny(p, ":,\x00") {
		return "", fmt.Errorf("path %q: contains ':', ',' or NUL", p)
	}
	return c, nil
}

var volumeNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// parseBind parses a docker -v value the way dockerd's Linux parser does:
// [SRC:]DST[:MODE]. SRC is an absolute host path (a bind) or a volume name;
// DST alone is an anonymous volume. MODE is a comma list with at most one
// of each kind: ro|rw, z|Z, a propagation mode (shared, rshared, slave,
// rslave, private, rprivate; binds only), nocopy (volumes only) and a
// consistency (consistent, cached, delegated). Paths are cleaned as
// dockerd cleans them. Whatever dockerd would refuse is an error, so no
// mount dockerd would make is ever dropped.
func parseBind(v string) (Mount, error) {
	if strings.IndexByte(v, 0) >= 0 {
		return Mount{}, fmt.Errorf("volume %q: contains NUL", v)
	}
	parts := strings.SplitN(v, ":", 4)
	var src, dst, mode string
	switch len(parts) {
	case 1:
		dst = parts[0]
	case 2:
		if validBindMode(parts[1]) == nil {
			return Mount{}, fmt.Errorf("volume %q: want SRC:DST[:OPTIONS] (%q is options, not a destination)", v, parts[1])
		}
		src, dst = parts[0], parts[1]
	case 3:
		src, dst, mode = parts[0], parts[1], parts[2]
	default:
		return Mount{}, fmt.Errorf("volume %q: want SRC:DST[:OPTIONS]", v)
	}
	if parts[0] == "" {
		return Mount{}, fmt.Errorf("volume %q: empty source", v)
	}
	if err := validBindMode(mode); err != nil {
		return Mount{}, fmt.Errorf("volume %q: %w", v, err)
	}
	m := Mount{RW: true}
	switch {
	case len(parts) == 1:
		m.Type = mount.TypeVolume // anonymous
	case strings.HasPrefix(src, "/"):
		m.Type = mount.TypeBind
		m.Source = path.Clean(src)
	case volumeNamePattern().MatchString(src):
		m.Type = mount.TypeVolume
		m.Source = src
	default:
		return Mount{}, fmt.Errorf("volume %q: source %q must be an absolute host path or a volume name", v, src)
	}
	if !strings.HasPrefix(dst, "/") {
		return Mount{}, fmt.Errorf("volume %q: path %q inside the container must be absolute", v, dst)
	}
	m.Destination = path.Clean(dst)
	if m.Destination == "/" {
		return Mount{}, fmt.Errorf("volume %q: cannot mount over /", v)
	}
	for _, o := range strings.Split(mode, ",") {
		switch o {
		case "ro":
			m.RW = false
		case "nocopy":
			if m.Type == mount.TypeBind {
				// dockerd: "field VolumeOptions must not be specified".
				return Mount{}, fmt.Errorf("volume %q: nocopy applies to volumes, not to a bind", v)
			}
		case "shared", "rshared", "slave", "rslave", "private", "rprivate":
			if m.Type != mount.TypeBind {
				// dockerd: "field BindOptions must not be specified".
				return Mount{}, fmt.Errorf("volume %q: propagation %s applies to binds, not to a volume", v, o)
			}
			m.Propagation = mount.Propagation(o)
		}
	}
	return m, nil
}

// bindModeKinds maps each option of a -v mode to its kind; a mode holds
// at most one option of each kind.
var bindModeKinds = map[string]string{
	"ro": "rw", "rw": "rw",
	"z": "label", "Z": "label",
	"shared": "propagation", "rshared": "propagation", "slave": "propagation",
	"rslave": "propagation", "private": "propagation", "rprivate": "propagation",
	"nocopy":     "copy",
	"consistent": "consistency", "cached": "consistency", "delegated": "consistency",
}

// validBindMode checks a -v mode as dockerd's linuxValidMountMode does:
// empty, or known options with at most one of each kind.
func validBindMode(mode string) error {
	if mode == "" {
		return nil
	}
	seen := map[string]string{}
	for _, o := range strings.Split(mode, ",") {
		kind, ok := bindModeKinds[o]
		if !ok {
			return fmt.Errorf("unknown option %q in %q (want ro|rw, z|Z, a propagation mode, nocopy, consistent|cached|delegated)", o, mode)
		}
		if prev, dup := seen[kind]; dup {
			return fmt.Errorf("options %q and %q in %q are of the same kind (%s): dockerd refuses both", prev, o, mode, kind)
		}
		seen[kind] = o
	}
	return nil
}

// WithAddedVolume appends a docker -v style mount to HostConfig.Binds:
// "/host/path:/in/container[:ro]" or "volume-name:/in/container". Sensitive host paths must be read-only
// and the Docker socket is refused, unless the rule is waived.
func WithAddedVolume(spec string) Option {
	return func(sp *Spec) error {
		if _, err := parseBind(spec); err != nil {
			return err
		}
		sp.HostConfig.Binds = append(sp.HostConfig.Binds, spec)
		return nil
	}
}

// WithAddedPort publishes one more port, docker -p style:
// "IP:HOSTPORT:CONTAINERPORT[/PROTO]" or "IP::CONTAINERPORT" (a random host
// port); bindings of the same container port add up. The host address is required
// (CIS 5.14) and host ports below 1024 need a waiver (CIS 5.8).
func WithAddedPort(spec string) Option {
	return func(sp *Spec) error {
		port, b, err := parsePublish(spec)
		if err != nil {
			return err
		}
		if sp.HostConfig.PortBindings == nil {
			sp.HostConfig.PortBindings = network.PortMap{}
		}
		sp.HostConfig.PortBindings[port] = append(sp.HostConfig.PortBindings[port], b)
		if sp.Config.ExposedPorts == nil {
			sp.Config.ExposedPorts = network.PortSet{}
		}
		sp.Config.ExposedPorts[port] = struct{}{}
		return nil
	}
}

func parsePublish(spec string) (network.Port, network.PortBinding, error) {
	var ip, hostPort, ctrPort string
	s := spec
	// An IPv6 address is written in brackets: [::1]:8080:80.
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: unclosed [", spec)
		}
		ip, s = s[1:end], strings.TrimPrefix(s[end+1:], ":")
		parts := strings.Split(s, ":")
		if len(parts) != 2 {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: want [IP]:HOSTPORT:CONTAINERPORT", spec)
		}
		hostPort, ctrPort = parts[0], parts[1]
	} else {
		parts := strings.Split(s, ":")
		switch len(parts) {
		case 1:
			ctrPort = parts[0]
		case 2:
			hostPort, ctrPort = parts[0], parts[1]
		case 3:
			ip, hostPort, ctrPort = parts[0], parts[1], parts[2]
		default:
			return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: want IP:HOSTPORT:CONTAINERPORT[/PROTO]", spec)
		}
	}
	if !strings.Contains(ctrPort, "/") {
		ctrPort += "/tcp"
	}
	port, err := network.ParsePort(ctrPort)
	if err != nil {
		return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: container port: %w", spec, err)
	}
	var b network.PortBinding
	if ip != "" {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: host address %q: %w", spec, ip, err)
		}
		b.HostIP = addr
	}
	if hostPort != "" {
		n, err := strconv.Atoi(hostPort)
		if err != nil || n < 0 || n > 65535 {
			return network.Port{}, network.PortBinding{}, fmt.Errorf("publish %q: host port %q is not 0..65535", spec, hostPort)
		}
		b.HostPort = hostPort
	}
	return port, b, nil
}

// WithNetwork attaches the container to a network. "none" means no network;
// any other name is a user-defined network that Run creates with
// inter-container traffic disabled when it does not exist, and refuses when
// it exists with ICC enabled (unless container.network-isolation is waived).
// "host" and "bridge" break rules and need waivers.
func WithNetwork(name string) Option {
	return func(sp *Spec) error {
		if name == "" {
			return fmt.Errorf("network: empty name")
		}
		if name == "host" {
			if err := hostNetSysctls(sp); err != nil {
				return err
			}
		}
		sp.Network = name
		sp.HostConfig.NetworkMode = container.NetworkMode(name)
		return nil
	}
}

// WithRestartPolicy sets the restart policy ("no", "on-failure",
// "unless-stopped", "always") and, for on-failure, the retry bound.
func WithRestartPolicy(name string, maxRetries int) Option {
	return func(sp *Spec) error {
		mode := container.RestartPolicyMode(name)
		switch mode {
		case container.RestartPolicyDisabled, container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
			if maxRetries != 0 {
				return fmt.Errorf("restart policy %q takes no retry count", name)
			}
		case container.RestartPolicyOnFailure:
			if maxRetries < 0 {
				return fmt.Errorf("restart policy on-failure: negative retry count %d", maxRetries)
			}
		default:
			return fmt.Errorf("restart policy %q: want no, on-failure, unless-stopped or always", name)
		}
		sp.HostConfig.RestartPolicy = container.RestartPolicy{Name: mode, MaximumRetryCount: maxRetries}
		return nil
	}
}

// WithAutoRemove removes the container when it exits. The daemon refuses
// it together with a restart policy, so pair it with WithRestartPolicy("no", 0).
func WithAutoRemove() Option {
	return func(sp *Spec) error { sp.HostConfig.AutoRemove = true; return nil }
}

// WithLogConfig sets the log driver and its options. The log rotation rule
// judges the result (json-file needs max-size, syslog an address).
func WithLogConfig(driver string, opts map[string]string) Option {
	return func(sp *Spec) error {
		if driver == "" {
			return fmt.Errorf("log driver: empty name")
		}
		sp.HostConfig.LogConfig = container.LogConfig{Type: driver, Config: maps.Clone(opts)}
		return nil
	}
}

// WithSecurityOpt sets a raw --security-opt value (e.g. a custom seccomp
// profile), replacing the value of the same key (label options, which
// dockerd combines, add up); the rules judge it.
func WithSecurityOpt(opt string) Option {
	return func(sp *Spec) error {
		if opt == "" {
			return fmt.Errorf("security option: empty")
		}
		// dockerd applies the options in order and the last of a key
		// wins, so a new value replaces the old one (a default included)
		// rather than standing beside it. label options add up.
		if k := securityOptKey(opt); k != "label" {
			sp.HostConfig.SecurityOpt = slices.DeleteFunc(sp.HostConfig.SecurityOpt, func(o string) bool { return securityOptKey(o) == k })
		}
		addSecurityOpt(sp.HostConfig, opt)
		return nil
	}
}

// WithCmd sets the command (arguments to the image's entrypoint).
func WithCmd(args ...string) Option {
	return func(sp *Spec) error { sp.Config.Cmd = slices.Clone(args); return nil }
}

// WithEntrypoint replaces the image's entrypoint.
func WithEntrypoint(args ...string) Option {
	return func(sp *Spec) error { sp.Config.Entrypoint = slices.Clone(args); return nil }
}

// WithAddedEnv appends environment variables ("KEY=value") to Config.Env;
// for a key given twice the last value wins, as in docker run -e.
func WithAddedEnv(kv ...string) Option {
	return func(sp *Spec) error {
		for _, e := range kv {
			if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
				return fmt.Errorf("env %q: want KEY=value", e)
			}
		}
		sp.Config.Env = append(sp.Config.Env, kv...)
		return nil
	}
}

var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// WithName sets the container name.
func WithName(name string) Option {
	return func(sp *Spec) error {
		if !namePattern().MatchString(name) {
			return fmt.Errorf("container name %q: want [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
		}
		sp.Name = strings.TrimPrefix(name, "/")
		return nil
	}
}

// WithAddedLabels adds labels to Config.Labels (a key given again takes
// the new value). Keys under io.safedock. are reserved.
func WithAddedLabels(labels map[string]string) Option {
	return func(sp *Spec) error {
		for k, v := range labels {
			if strings.HasPrefix(k, "io.safedock.") {
				return fmt.Errorf("label %q: the io.safedock. prefix is reserved (use Waive for waivers)", k)
			}
			sp.Config.Labels[k] = v
		}
		return nil
	}
}

// WithHostConfig runs fn on the HostConfig, for settings no option covers.
// It can loosen anything, and the rules still judge the result: a loosened
// default needs Waive.
func WithHostConfig(fn func(*container.HostConfig)) Option {
	return func(sp *Spec) error { fn(sp.HostConfig); return nil }
}

// WithHostFacts tells the rules about the daemon's host (AppArmor, SELinux,
// userns-remap). Run reads them from the daemon itself.
func WithHostFacts(h HostFacts) Option {
	return func(sp *Spec) error { sp.Host = h; return nil }
}

// WithImageFacts tells the rules about the image (its user, healthcheck,
// exposed ports). Run inspects the image itself.
func WithImageFacts(img ImageFacts) Option {
	return func(sp *Spec) error { sp.Image = &img; return nil }
}
