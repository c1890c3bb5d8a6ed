package runspec

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// Option adjusts what Apply enforces. Options validate their input when
// Apply runs them; a bad option makes Apply fail without touching the spec.
// With* options replace a setting, WithAdded* options add to one.
type Option func(*settings) error

// settings is what the options collect before Apply changes the spec.
type settings struct {
	user      *specs.User
	addCaps   []string
	ambient   []string
	pids      int64
	memory    int64
	cpuShares uint64
	rlimits   []specs.POSIXRlimit
	uidMaps   []specs.LinuxIDMapping
	gidMaps   []specs.LinuxIDMapping
	tmpfs     []specs.Mount
	readOnly  []string
	masked    []string
	apparmor  string
	selinux   string
	waivers   rule.Waivers
}

func newSettings() *settings { return &settings{waivers: rule.Waivers{}} }

// WithUser replaces the process's user and group, given as hardening's
// WithUser takes them: "uid[:gid]", numeric only (a spec has no image to
// look names up in); a uid alone means the group of the same number
// ("1000" is 1000:1000). uid 0 is refused unless container.non-root-user
// is waived.
func WithUser(user string) Option {
	return func(s *settings) error {
		u, err := parseUser(user)
		if err != nil {
			return err
		}
		s.user = u
		return nil
	}
}

// parseUser parses "uid[:gid]" with numeric ids.
func parseUser(user string) (*specs.User, error) {
	uidStr, gidStr, hasGID := strings.Cut(user, ":")
	id := func(what, v string) (uint32, error) {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("user %q: %s %q is not numeric: an OCI spec takes numeric ids (resolve names in the image's /etc/passwd first)", user, what, v)
		}
		return uint32(n), nil
	}
	uid, err := id("uid", uidStr)
	if err != nil {
		return nil, err
	}
	gid := uid
	if hasGID {
		if gid, err = id("gid", gidStr); err != nil {
			return nil, err
		}
	}
	return &specs.User{UID: uid, GID: gid}, nil
}

// WithAddedCapabilities adds capabilities (CAP_NET_BIND_SERVICE,
// NET_BIND_SERVICE or net_bind_service) to the bounding, effective and
// permitted sets; every other capability is dropped. ALL and the
// capabilities that amount to root (policy.DangerousCapabilities:
// CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE, ...) are
// refused unless container.capabilities is waived; waived, ALL grants
// every capability.
func WithAddedCapabilities(caps ...string) Option {
	return func(s *settings) error {
		for _, c := range caps {
			name, err := capName(c)
			if err != nil {
				return fmt.Errorf("adding capability: %w", err)
			}
			if name == policy.AllCapabilities {
				name = allCapsName
			}
			if !slices.Contains(s.addCaps, name) {
				s.addCaps = append(s.addCaps, name)
			}
		}
		return nil
	}
}

// WithAddedAmbientCapabilities also puts already added capabilities in the
// inheritable and ambient sets, so that a non-root process without file
// capabilities keeps them across execve. Each must be added with
// WithAddedCapabilities too.
func WithAddedAmbientCapabilities(caps ...string) Option {
	return func(s *settings) error {
		for _, c := range caps {
			name, err := capName(c)
			if err != nil {
				return fmt.Errorf("ambient capability: %w", err)
			}
			if name == policy.AllCapabilities {
				return fmt.Errorf("ambient capability %q: name each capability, ALL is not allowed", c)
			}
			if !slices.Contains(s.addCaps, name) {
				return fmt.Errorf("ambient capability %s: add it with WithAddedCapabilities first", name)
			}
			if !slices.Contains(s.ambient, name) {
				s.ambient = append(s.ambient, name)
			}
		}
		return nil
	}
}

// WithPidsLimit replaces the limit on the number of processes. It must be
// positive; to run without one, Waive(rule.ContainerPidsLimit, reason).
func WithPidsLimit(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("pids limit %d: must be positive (waive %s to run without one)", n, rule.ContainerPidsLimit)
		}
		s.pids = n
		return nil
	}
}

// WithMemory replaces the memory limit, in bytes (at least
// policy.MinMemory, 6 MiB, as in hardening).
func WithMemory(bytes int64) Option {
	return func(s *settings) error {
		if bytes < policy.MinMemory {
			return fmt.Errorf("memory limit %d: must be at least %d (6 MiB; waive %s to run without one)", bytes, policy.MinMemory, rule.ContainerMemoryLimit)
		}
		s.memory = bytes
		return nil
	}
}

// WithCPUShares replaces the CPU weight. 0 and 1024 (the unset default) are
// refused: they give the container the same weight as every other.
func WithCPUShares(shares uint64) Option {
	return func(s *settings) error {
		if shares < uint64(policy.MinCPUShares) || shares == uint64(policy.UnsetCPUShares) || shares > uint64(policy.MaxCPUShares) {
			return fmt.Errorf("cpu shares %d: want %d..%d other than %d", shares, policy.MinCPUShares, policy.MaxCPUShares, policy.UnsetCPUShares)
		}
		s.cpuShares = shares
		return nil
	}
}

// WithRlimit sets (replaces) one POSIX resource limit, e.g.
// WithRlimit("RLIMIT_NOFILE", 1024, 4096). soft must not exceed hard.
func WithRlimit(typ string, soft, hard uint64) Option {
	return func(s *settings) error {
		typ = strings.ToUpper(strings.TrimSpace(typ))
		if !slices.Contains(rlimitTypes, typ) {
			return fmt.Errorf("rlimit %q: unknown type (want one of %s)", typ, strings.Join(rlimitTypes, ", "))
		}
		if soft > hard {
			return fmt.Errorf("rlimit %s: soft limit %d exceeds hard limit %d", typ, soft, hard)
		}
		s.rlimits = slices.DeleteFunc(s.rlimits, func(r specs.POSIXRlimit) bool { return r.Type == typ })
		s.rlimits = append(s.rlimits, specs.POSIXRlimit{Type: typ, Soft: soft, Hard: hard})
		return nil
	}
}

// WithUserNamespace replaces the user namespace's uid and gid mappings and
// adds a user namespace. Container id 0 must not map to host id 0 (that
// would not remap root), and no mapping may be empty.
func WithUserNamespace(uidMappings, gidMappings []specs.LinuxIDMapping) Option {
	return func(s *settings) error {
		for kind, ms := range map[string][]specs.LinuxIDMapping{"uid": uidMappings, "gid": gidMappings} {
			if len(ms) == 0 {
				return fmt.Errorf("user namespace: no %s mappings", kind)
			}
			for _, m := range ms {
				if m.Size == 0 {
					return fmt.Errorf("user namespace: %s mapping %d->%d has size 0", kind, m.ContainerID, m.HostID)
				}
				if uint64(m.HostID)+uint64(m.Size) > 1<<32 || uint64(m.ContainerID)+uint64(m.Size) > 1<<32 {
					return fmt.Errorf("user namespace: %s mapping %d->%d size %d overflows", kind, m.ContainerID, m.HostID, m.Size)
				}
				if m.HostID == 0 || (m.ContainerID == 0 && m.HostID == 0) {
					return fmt.Errorf("user namespace: %s mapping %d->%d maps to host id 0", kind, m.ContainerID, m.HostID)
				}
			}
		}
		s.uidMaps = slices.Clone(uidMappings)
		s.gidMaps = slices.Clone(gidMappings)
		return nil
	}
}

// WithTmpfs mounts (or replaces the mount at) path with a writable tmpfs of
// at most sizeBytes, mounted nosuid,nodev,noexec,mode=1777.
func WithTmpfs(dest string, sizeBytes int64) Option {
	return func(s *settings) error {
		p, err := containerPath(dest)
		if err != nil {
			return fmt.Errorf("tmpfs: %w", err)
		}
		if p == "/" || p == "/dev" || p == "/proc" || p == "/sys" {
			return fmt.Errorf("tmpfs %s: not allowed over a runtime-managed path", p)
		}
		if sizeBytes <= 0 {
			return fmt.Errorf("tmpfs %s: size %d must be positive", p, sizeBytes)
		}
		s.tmpfs = slices.DeleteFunc(s.tmpfs, func(m specs.Mount) bool { return m.Destination == p })
		s.tmpfs = append(s.tmpfs, specs.Mount{
			Destination: p, Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "nodev", "noexec", "mode=1777", fmt.Sprintf("size=%d", sizeBytes)},
		})
		return nil
	}
}

// WithAddedReadOnlyPaths adds paths (inside the container) to linux.readonlyPaths,
// on top of Docker's defaults.
func WithAddedReadOnlyPaths(paths ...string) Option {
	return func(s *settings) error {
		for _, p := range paths {
			c, err := containerPath(p)
			if err != nil {
				return fmt.Errorf("read-only path: %w", err)
			}
			s.readOnly = append(s.readOnly, c)
		}
		return nil
	}
}

// WithAddedMaskedPaths adds paths (inside the container) to linux.maskedPaths, on
// top of Docker's defaults.
func WithAddedMaskedPaths(paths ...string) Option {
	return func(s *settings) error {
		for _, p := range paths {
			c, err := containerPath(p)
			if err != nil {
				return fmt.Errorf("masked path: %w", err)
			}
			s.masked = append(s.masked, c)
		}
		return nil
	}
}

// WithAppArmorProfile replaces the AppArmor profile (it must be loaded on the
// host that runs the container). "unconfined" is refused unless
// container.apparmor is waived.
func WithAppArmorProfile(name string) Option {
	return func(s *settings) error {
		name = strings.TrimSpace(name)
		if name == "" {
			return fmt.Errorf("apparmor profile: empty name")
		}
		s.apparmor = name
		return nil
	}
}

// WithSELinuxLabel replaces the process's SELinux label, e.g.
// "system_u:system_r:container_t:s0:c1,c2". spc_t and unconfined_t are
// refused unless container.selinux is waived.
func WithSELinuxLabel(label string) Option {
	return func(s *settings) error {
		label = strings.TrimSpace(label)
		if strings.Count(label, ":") < 3 {
			return fmt.Errorf("selinux label %q: want user:role:type:level", label)
		}
		s.selinux = label
		return nil
	}
}

// Waive loosens one rule deliberately: Apply no longer enforces it, accepts
// the spec's (or the options') looser value, and records the waiver in the
// spec's annotations so that Check reports the rule as waived. The reason
// must not be empty. The order of options does not matter.
// container.docker-socket cannot be waived.
func Waive(id rule.ID, reason string) Option {
	return func(s *settings) error {
		if _, ok := lookup(id); !ok {
			return fmt.Errorf("waive %s: not a runspec rule", id)
		}
		if id == rule.ContainerDockerSocket {
			return fmt.Errorf("waive %s: mounting the Docker socket is never allowed", id)
		}
		return s.waivers.Waive(id, reason)
	}
}

// containerPath validates an absolute, clean path inside the container.
func containerPath(p string) (string, error) {
	if p == "" || !path.IsAbs(p) {
		return "", fmt.Errorf("path %q is not absolute", p)
	}
	if strings.ContainsAny(p, "\x00,:") {
		return "", fmt.Errorf("path %q contains a NUL, comma or colon", p)
	}
	return path.Clean(p), nil
}

func violation(id rule.ID, reason, detail string) error {
	c, _ := lookup(id)
	return &rule.Violation{Rule: id, Reason: reason, Detail: detail, Fix: c.Rule.Remediation + " (or runspec.Waive(" + string(id) + ", reason))"}
}

var rlimitTypes = []string{
	"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
	"RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
}
