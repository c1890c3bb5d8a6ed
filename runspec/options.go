package runspec

import (
	"fmt"
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// Defaults Apply uses when the spec and the options set nothing stricter.
const (
	DefaultUID       = 65534 // nobody
	DefaultGID       = 65534 // nogroup
	DefaultPidsLimit = 256
	DefaultMemory    = 512 << 20 // bytes
	DefaultCPUShares = 512
	DefaultNoFile    = 4096 // hard RLIMIT_NOFILE; the soft limit is 1024
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

// WithUser replaces the process's user and group. uid 0 is refused unless
// container.non-root-user is waived.
func WithUser(uid, gid uint32) Option {
	return func(s *settings) error {
		s.user = &specs.User{UID: uid, GID: gid}
		return nil
	}
}

// WithAddedCapabilities adds capabilities (CAP_NET_BIND_SERVICE or
// NET_BIND_SERVICE) to the bounding, effective and permitted sets; every
// other capability is dropped. Capabilities that amount to root
// (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE, ...) are
// refused unless container.capabilities is waived.
func WithAddedCapabilities(caps ...string) Option {
	return func(s *settings) error {
		for _, c := range caps {
			name, err := capName(c)
			if err != nil {
				return fmt.Errorf("adding capability: %w", err)
			}
			if !slices.Contains(s.addCaps, name) {
				s.addCaps = append(s.addCaps, name)
			}
		}
		return nil
	}
}

// WithAmbientCapabilities also puts already added capabilities in the
// inheritable and ambient sets, so that a non-root process without file
// capabilities keeps them across execve. Each must be added with
// WithAddedCapabilities too.
func WithAmbientCapabilities(caps ...string) Option {
	return func(s *settings) error {
		for _, c := range caps {
			name, err := capName(c)
			if err != nil {
				return fmt.Errorf("ambient capability: %w", err)
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

// WithMemoryLimit replaces the memory limit, in bytes (at least 4 MiB).
func WithMemoryLimit(bytes int64) Option {
	return func(s *settings) error {
		if bytes < 4<<20 {
			return fmt.Errorf("memory limit %d: must be at least 4 MiB (waive %s to run without one)", bytes, rule.ContainerMemoryLimit)
		}
		s.memory = bytes
		return nil
	}
}

// WithCPUShares replaces the CPU weight. 0 and 1024 (the unset default) are
// refused: they give the container the same weight as every other.
func WithCPUShares(shares uint64) Option {
	return func(s *settings) error {
		if shares < 2 || shares == 1024 || shares > 262144 {
			return fmt.Errorf("cpu shares %d: want 2..262144 other than 1024", shares)
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

// WithReadOnlyPaths adds paths (inside the container) to linux.readonlyPaths,
// on top of Docker's defaults.
func WithReadOnlyPaths(paths ...string) Option {
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

// WithMaskedPaths adds paths (inside the container) to linux.maskedPaths, on
// top of Docker's defaults.
func WithMaskedPaths(paths ...string) Option {
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
	r, _ := catalog.Lookup(id)
	return &rule.Violation{Rule: id, Reason: reason, Detail: detail, Fix: r.Remediation + " (or runspec.Waive(" + string(id) + ", reason))"}
}

var rlimitTypes = []string{
	"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
	"RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
}
