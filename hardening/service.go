package hardening

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	units "github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/policy"
)

// This file holds the options a long-running service needs (health check,
// working directory, hostname, stop signal, init, ulimits, sysctls, DNS,
// typed mounts, env files, groups, shm, CPUs, swap). Each validates its
// input and returns an error for what dockerd would refuse; Build's rules
// judge the result like any other option. Names follow one scheme: With*
// sets (replaces) a setting, WithAdded* appends to a list.

// WithHealthcheck sets the container's health check, replacing the
// image's HEALTHCHECK. Test is ["CMD", args...], ["CMD-SHELL", command]
// or ["NONE"] (see WithNoHealthcheck); an empty Test keeps the image's
// test and changes only the timings given (as dockerd merges them).
// Durations are zero (the image's, else the daemon's default) or at least
// 1 ms; retries are zero (default 3) or more.
func WithHealthcheck(hc *container.HealthConfig) Option {
	return func(sp *Spec) error {
		if hc == nil {
			return fmt.Errorf("healthcheck: nil (use WithNoHealthcheck to disable the image's)")
		}
		if len(hc.Test) == 0 && hc.Interval == 0 && hc.Timeout == 0 && hc.StartPeriod == 0 && hc.StartInterval == 0 && hc.Retries == 0 {
			return fmt.Errorf("healthcheck: empty (want a test [CMD args...], [CMD-SHELL command] or [NONE], or timings for the image's test)")
		}
		switch first(hc.Test) {
		case "":
			if len(hc.Test) > 0 {
				return fmt.Errorf("healthcheck: empty test kind")
			}
			// Timings only: the daemon keeps the image's test.
		case "CMD", "CMD-SHELL":
			if len(hc.Test) < 2 || strings.TrimSpace(strings.Join(hc.Test[1:], "")) == "" {
				return fmt.Errorf("healthcheck: %s without a command", hc.Test[0])
			}
			if hc.Test[0] == "CMD-SHELL" && len(hc.Test) != 2 {
				return fmt.Errorf("healthcheck: CMD-SHELL takes one command string, got %d", len(hc.Test)-1)
			}
		case "NONE":
			if len(hc.Test) != 1 {
				return fmt.Errorf("healthcheck: NONE takes no arguments")
			}
		default:
			return fmt.Errorf("healthcheck: test %q: want CMD, CMD-SHELL or NONE first", hc.Test[0])
		}
		for _, d := range []struct {
			name string
			v    time.Duration
		}{{"interval", hc.Interval}, {"timeout", hc.Timeout}, {"start period", hc.StartPeriod}, {"start interval", hc.StartInterval}} {
			if d.v != 0 && d.v < time.Millisecond {
				return fmt.Errorf("healthcheck: %s %s: want 0 (default) or at least 1ms", d.name, d.v)
			}
		}
		if hc.Retries < 0 {
			return fmt.Errorf("healthcheck: retries %d: want 0 (default) or more", hc.Retries)
		}
		c := *hc
		c.Test = slices.Clone(hc.Test)
		sp.Config.Healthcheck = &c
		return nil
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// WithNoHealthcheck disables the image's HEALTHCHECK (docker run
// --no-healthcheck). The healthcheck rule then warns.
func WithNoHealthcheck() Option {
	return WithHealthcheck(&container.HealthConfig{Test: []string{"NONE"}})
}

// WithWorkingDir sets the directory the process starts in (an absolute
// path inside the container).
func WithWorkingDir(dir string) Option {
	return func(sp *Spec) error {
		if !strings.HasPrefix(dir, "/") || strings.IndexByte(dir, 0) >= 0 {
			return fmt.Errorf("working dir %q: want an absolute path inside the container", dir)
		}
		sp.Config.WorkingDir = dir
		return nil
	}
}

var hostnamePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)
})

// WithHostname sets the container's hostname (RFC 1123, at most 253
// characters). The container keeps its own UTS namespace.
func WithHostname(name string) Option {
	return func(sp *Spec) error {
		if len(name) > 253 || !hostnamePattern().MatchString(name) {
			return fmt.Errorf("hostname %q: want an RFC 1123 host name", name)
		}
		sp.Config.Hostname = name
		return nil
	}
}

// signals are the names dockerd accepts for a stop signal (without SIG).
var signals = []string{"ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
	"KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
	"TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ"}

// WithStopSignal sets the signal Stop (and docker stop) sends first:
// a name ("SIGTERM", "TERM", "SIGRTMIN+3") or a number (1..64).
func WithStopSignal(sig string) Option {
	return func(sp *Spec) error {
		if !validSignal(sig) {
			return fmt.Errorf("stop signal %q: want a signal name (SIGTERM) or number (1..64)", sig)
		}
		sp.Config.StopSignal = sig
		return nil
	}
}

func validSignal(sig string) bool {
	if n, err := strconv.Atoi(sig); err == nil {
		return n >= 1 && n <= 64
	}
	s := strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	if slices.Contains(signals, s) {
		return true
	}
	for _, base := range []string{"RTMIN", "RTMAX"} {
		if s == base {
			return true
		}
		if rest, ok := strings.CutPrefix(s, base); ok {
			n, err := strconv.Atoi(rest)
			if err == nil && n >= -15 && n <= 15 && n != 0 {
				return true
			}
		}
	}
	return false
}

// WithStopTimeout sets how long the container gets to exit after its stop
// signal before it is killed (whole seconds, 0 or more), for docker stop
// and for Stop/Restart with a negative timeout.
func WithStopTimeout(d time.Duration) Option {
	return func(sp *Spec) error {
		if d < 0 || d%time.Second != 0 {
			return fmt.Errorf("stop timeout %s: want whole seconds, 0 or more", d)
		}
		secs := int(d / time.Second)
		sp.Config.StopTimeout = &secs
		return nil
	}
}

// WithInit runs the daemon's init (docker-init) as PID 1, which forwards
// signals and reaps zombies.
func WithInit() Option {
	return func(sp *Spec) error { t := true; sp.HostConfig.Init = &t; return nil }
}

// WithUlimit sets one resource limit, docker's --ulimit syntax:
// "nofile=1024:2048" (soft:hard) or "nproc=512" (both). A limit of the
// same name set before is replaced. Hard must not be below soft.
func WithUlimit(spec string) Option {
	return func(sp *Spec) error {
		u, err := units.ParseUlimit(spec)
		if err != nil {
			return fmt.Errorf("ulimit %q: %w", spec, err)
		}
		if u.Soft < -1 || u.Hard < -1 {
			return fmt.Errorf("ulimit %q: negative limit", spec)
		}
		sp.HostConfig.Ulimits = slices.DeleteFunc(sp.HostConfig.Ulimits, func(o *container.Ulimit) bool { return o == nil || o.Name == u.Name })
		sp.HostConfig.Ulimits = append(sp.HostConfig.Ulimits, u)
		return nil
	}
}

// namespacedSysctl reports whether a sysctl is isolated per container
// (dockerd's list): IPC ones (kernel.shm*, kernel.msg*, kernel.sem,
// fs.mqueue.*) and network ones (net.*). The rest would change the host.
func namespacedSysctl(k string) (ok, isNet bool) {
	switch {
	case strings.HasPrefix(k, "net."):
		return true, true
	case strings.HasPrefix(k, "fs.mqueue."):
		return true, false
	case k == "kernel.sem", strings.HasPrefix(k, "kernel.shm"), strings.HasPrefix(k, "kernel.msg"):
		return true, false
	}
	return false, false
}

var sysctlKeyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]+(\.[a-zA-Z0-9_/+-]+)+$`) })

// WithSysctl sets one namespaced kernel parameter ("net.ipv4.ip_forward",
// "1"), replacing an earlier value of the same key. Only sysctls the kernel
// isolates per container are accepted: net.*, kernel.shm*, kernel.msg*,
// kernel.sem and fs.mqueue.*; any other would change the whole host and is
// refused. net.* sysctls are refused on the host network (they would
// change the host's), in either order of WithSysctl and WithNetwork.
func WithSysctl(key, value string) Option {
	return func(sp *Spec) error {
		if !sysctlKeyPattern().MatchString(key) {
			return fmt.Errorf("sysctl %q: not a sysctl name", key)
		}
		ok, isNet := namespacedSysctl(key)
		if !ok {
			return fmt.Errorf("sysctl %q: not namespaced (it would change the host): only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are allowed", key)
		}
		if isNet && sp.HostConfig.NetworkMode.IsHost() {
			return fmt.Errorf("sysctl %q: the container uses the host's network namespace, so it would change the host's", key)
		}
		if strings.ContainsAny(value, "\x00\n") {
			return fmt.Errorf("sysctl %q: value contains NUL or a newline", key)
		}
		if sp.HostConfig.Sysctls == nil {
			sp.HostConfig.Sysctls = map[string]string{}
		}
		sp.HostConfig.Sysctls[key] = value
		return nil
	}
}

// hostNetSysctls refuses the host network when net.* sysctls are set.
func hostNetSysctls(sp *Spec) error {
	for k := range sp.HostConfig.Sysctls {
		if strings.HasPrefix(k, "net.") {
			return fmt.Errorf("network host: sysctl %q is set and would change the host's network", k)
		}
	}
	return nil
}

// WithDNS sets the DNS servers (IP addresses), replacing earlier ones.
func WithDNS(servers ...string) Option {
	return func(sp *Spec) error {
		out := make([]netip.Addr, 0, len(servers))
		for _, s := range servers {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return fmt.Errorf("dns %q: want an IP address: %w", s, err)
			}
			out = append(out, a)
		}
		sp.HostConfig.DNS = out
		return nil
	}
}

var dnsSearchPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\.$|^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})$`) })

// WithDNSSearch sets the DNS search domains, replacing earlier ones ("."
// alone means none).
func WithDNSSearch(domains ...string) Option {
	return func(sp *Spec) error {
		for _, d := range domains {
			if !dnsSearchPattern().MatchString(d) {
				return fmt.Errorf("dns search %q: want a domain name", d)
			}
		}
		sp.HostConfig.DNSSearch = slices.Clone(domains)
		return nil
	}
}

// WithDNSOptions sets the resolv.conf options ("ndots:2", "edns0"),
// replacing earlier ones.
func WithDNSOptions(opts ...string) Option {
	return func(sp *Spec) error {
		for _, o := range opts {
			if o == "" || strings.ContainsAny(o, " \t\n\x00") {
				return fmt.Errorf("dns option %q: want one resolv.conf option without spaces", o)
			}
		}
		sp.HostConfig.DNSOptions = slices.Clone(opts)
		return nil
	}
}

// WithAddedHosts appends /etc/hosts entries, docker's --add-host syntax:
// "name:IP" or "name=IP" (IPv6 in brackets or bare). The special address
// host-gateway is refused: it opens a path to the host.
func WithAddedHosts(entries ...string) Option {
	return func(sp *Spec) error {
		for _, e := range entries {
			name, ip, ok := strings.Cut(e, "=")
			if !ok {
				name, ip, ok = strings.Cut(e, ":")
			}
			if !ok || name == "" || !hostnamePattern().MatchString(name) {
				return fmt.Errorf("add-host %q: want NAME:IP", e)
			}
			ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
			if ip == "host-gateway" {
				return fmt.Errorf("add-host %q: host-gateway gives the container a route name for the host; give an address instead", e)
			}
			a, err := netip.ParseAddr(ip)
			if err != nil {
				return fmt.Errorf("add-host %q: address: %w", e, err)
			}
			sp.HostConfig.ExtraHosts = append(sp.HostConfig.ExtraHosts, name+":"+a.String())
		}
		return nil
	}
}

// WithGroups sets the supplementary groups (names or GIDs) of the
// process, replacing earlier ones; WithAddedGroups appends.
func WithGroups(groups ...string) Option {
	return func(sp *Spec) error {
		sp.HostConfig.GroupAdd = nil
		return WithAddedGroups(groups...)(sp)
	}
}

var groupPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$`) })

// WithAddedGroups appends supplementary groups (names or GIDs, docker's
// --group-add).
func WithAddedGroups(groups ...string) Option {
	return func(sp *Spec) error {
		for _, g := range groups {
			if !groupPattern().MatchString(g) {
				return fmt.Errorf("group %q: want a group name or GID", g)
			}
			if !slices.Contains(sp.HostConfig.GroupAdd, g) {
				sp.HostConfig.GroupAdd = append(sp.HostConfig.GroupAdd, g)
			}
		}
		return nil
	}
}

// WithShmSize sets the size of /dev/shm in bytes (more than 0).
func WithShmSize(bytes int64) Option {
	return func(sp *Spec) error {
		if bytes <= 0 {
			return fmt.Errorf("shm size %d: want more than 0 bytes", bytes)
		}
		sp.HostConfig.ShmSize = bytes
		return nil
	}
}

// WithCPUs limits the container to this many CPUs (docker --cpus, e.g.
// 1.5), at least 0.01.
func WithCPUs(cpus float64) Option {
	return func(sp *Spec) error {
		if math.IsNaN(cpus) || cpus < 0.01 || cpus > 1e6 {
			return fmt.Errorf("cpus %v: want 0.01 or more", cpus)
		}
		sp.HostConfig.NanoCPUs = int64(math.Round(cpus * 1e9))
		return nil
	}
}

// WithMemorySwap sets memory plus swap in bytes (docker --memory-swap):
// at least the memory limit, or -1 for unlimited swap. Equal to the
// memory limit means no swap.
func WithMemorySwap(bytes int64) Option {
	return func(sp *Spec) error {
		if bytes != -1 && bytes < policy.MinMemory {
			return fmt.Errorf("memory-swap %d: want -1 (unlimited) or at least the memory limit", bytes)
		}
		sp.HostConfig.MemorySwap = bytes
		return nil
	}
}

// WithAddedMount adds a typed mount, docker's --mount syntax: a comma list of
// key=value with type=bind|volume|tmpfs, source (src), target (dst,
// destination), readonly (ro), and per type bind-propagation, consistency,
// volume-nocopy, volume-driver, volume-label, volume-opt, tmpfs-size,
// tmpfs-mode. Anything else is refused rather than dropped. The mount is
// judged exactly like a -v bind: sensitive host paths must be read-only,
// the Docker socket is refused, propagation must be private, unless the
// rule is waived.
func WithAddedMount(spec string) Option {
	return func(sp *Spec) error {
		m, err := ParseMount(spec)
		if err != nil {
			return err
		}
		for _, o := range sp.HostConfig.Mounts {
			if o.Target == m.Target {
				return fmt.Errorf("mount %q: duplicate mount point %s", spec, m.Target)
			}
		}
		if _, dup := sp.HostConfig.Tmpfs[m.Target]; dup {
			return fmt.Errorf("mount %q: duplicate mount point %s (tmpfs)", spec, m.Target)
		}
		sp.HostConfig.Mounts = append(sp.HostConfig.Mounts, m)
		return nil
	}
}

// ParseBind parses docker's -v value ([SRC:]DST[:MODE]) as dockerd's Linux
// parser does, refusing whatever dockerd would refuse; ParseMount is its
// --mount counterpart.
func ParseBind(v string) (Mount, error) { return parseBind(v) }

// ParseMount parses docker's --mount value strictly (see WithAddedMount).
func ParseMount(spec string) (mount.Mount, error) {
	if strings.IndexByte(spec, 0) >= 0 {
		return mount.Mount{}, fmt.Errorf("mount %q: contains NUL", spec)
	}
	r := csv.NewReader(strings.NewReader(spec))
	fields, err := r.Read()
	if err != nil {
		return mount.Mount{}, fmt.Errorf("mount %q: %w", spec, err)
	}
	m := mount.Mount{}
	seen := map[string]bool{}
	var bind, vol, tmp []string // keys of each kind, checked against the type
	boolVal := func(k, v string, has bool) (bool, error) {
		if !has {
			return true, nil
		}
		switch strings.ToLower(v) {
		case "1", "true":
			return true, nil
		case "0", "false":
			return false, nil
		}
		return false, fmt.Errorf("mount %q: %s=%q: want true or false", spec, k, v)
	}
	for _, f := range fields {
		k, v, has := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		canon := map[string]string{"src": "source", "dst": "target", "destination": "target", "ro": "readonly"}[k]
		if canon == "" {
			canon = k
		}
		if seen[canon] && canon != "volume-label" && canon != "volume-opt" {
			return mount.Mount{}, fmt.Errorf("mount %q: %s given twice", spec, k)
		}
		seen[canon] = true
		if !has && canon != "readonly" && canon != "volume-nocopy" {
			return mount.Mount{}, fmt.Errorf("mount %q: field %q: want key=value", spec, f)
		}
		switch canon {
		case "type":
			m.Type = mount.Type(strings.ToLower(v))
		case "source":
			m.Source = v
		case "target":
			m.Target = v
		case "readonly":
			b, err := boolVal(k, v, has)
			if err != nil {
				return mount.Mount{}, err
			}
			m.ReadOnly = b
		case "consistency":
			switch v {
			case "default", "consistent", "cached", "delegated":
				m.Consistency = mount.Consistency(v)
			default:
				return mount.Mount{}, fmt.Errorf("mount %q: consistency %q: want default, consistent, cached or delegated", spec, v)
			}
		case "bind-propagation":
			bind = append(bind, k)
			switch mount.Propagation(v) {
			case mount.PropagationPrivate, mount.PropagationRPrivate, mount.PropagationShared, mount.PropagationRShared,
				mount.PropagationSlave, mount.PropagationRSlave:
			default:
				return mount.Mount{}, fmt.Errorf("mount %q: bind-propagation %q: want private, rprivate, shared, rshared, slave or rslave", spec, v)
			}
			if m.BindOptions == nil {
				m.BindOptions = &mount.BindOptions{}
			}
			m.BindOptions.Propagation = mount.Propagation(v)
		case "volume-nocopy":
			vol = append(vol, k)
			b, err := boolVal(k, v, has)
			if err != nil {
				return mount.Mount{}, err
			}
			volOpts(&m).NoCopy = b
		case "volume-driver":
			vol = append(vol, k)
			if v == "" {
				return mount.Mount{}, fmt.Errorf("mount %q: empty volume-driver", spec)
			}
			vo := volOpts(&m)
			if vo.DriverConfig == nil {
				vo.DriverConfig = &mount.Driver{}
			}
			vo.DriverConfig.Name = v
		case "volume-label":
			vol = append(vol, k)
			lk, lv, _ := strings.Cut(v, "=")
			if lk == "" {
				return mount.Mount{}, fmt.Errorf("mount %q: volume-label %q: want KEY=VALUE", spec, v)
			}
			vo := volOpts(&m)
			if vo.Labels == nil {
				vo.Labels = map[string]string{}
			}
			vo.Labels[lk] = lv
		case "volume-opt":
			vol = append(vol, k)
			ok, ov, found := strings.Cut(v, "=")
			if ok == "" || !found {
				return mount.Mount{}, fmt.Errorf("mount %q: volume-opt %q: want KEY=VALUE", spec, v)
			}
			vo := volOpts(&m)
			if vo.DriverConfig == nil {
				vo.DriverConfig = &mount.Driver{}
			}
			if vo.DriverConfig.Options == nil {
				vo.DriverConfig.Options = map[string]string{}
			}
			vo.DriverConfig.Options[ok] = ov
		case "tmpfs-size":
			tmp = append(tmp, k)
			n, err := units.RAMInBytes(v)
			if err != nil || n <= 0 {
				return mount.Mount{}, fmt.Errorf("mount %q: tmpfs-size %q: want a size such as 64m", spec, v)
			}
			tmpfsOpts(&m).SizeBytes = n
		case "tmpfs-mode":
			tmp = append(tmp, k)
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil || n > 0o7777 {
				return mount.Mount{}, fmt.Errorf("mount %q: tmpfs-mode %q: want an octal mode such as 1777", spec, v)
			}
			tmpfsOpts(&m).Mode = os.FileMode(n)
		default:
			return mount.Mount{}, fmt.Errorf("mount %q: unknown or unsupported key %q (want type, source, target, readonly, consistency, bind-propagation, volume-nocopy, volume-driver, volume-label, volume-opt, tmpfs-size, tmpfs-mode)", spec, k)
		}
	}
	switch m.Type {
	case mount.TypeBind:
		if !strings.HasPrefix(m.Source, "/") {
			return mount.Mount{}, fmt.Errorf("mount %q: a bind needs an absolute source path", spec)
		}
		m.Source = cleanPath(m.Source)
	case mount.TypeVolume:
		if m.Source != "" && !volumeNamePattern().MatchString(m.Source) {
			return mount.Mount{}, fmt.Errorf("mount %q: volume name %q: want [a-zA-Z0-9][a-zA-Z0-9_.-]+", spec, m.Source)
		}
	case mount.TypeTmpfs:
		if m.Source != "" {
			return mount.Mount{}, fmt.Errorf("mount %q: a tmpfs takes no source", spec)
		}
	case "":
		return mount.Mount{}, fmt.Errorf("mount %q: type is required (bind, volume or tmpfs)", spec)
	default:
		return mount.Mount{}, fmt.Errorf("mount %q: type %q: want bind, volume or tmpfs", spec, m.Type)
	}
	for _, kinds := range []struct {
		typ  mount.Type
		keys []string
	}{{mount.TypeBind, bind}, {mount.TypeVolume, vol}, {mount.TypeTmpfs, tmp}} {
		if len(kinds.keys) > 0 && m.Type != kinds.typ {
			return mount.Mount{}, fmt.Errorf("mount %q: %s applies to type=%s, not type=%s", spec, kinds.keys[0], kinds.typ, m.Type)
		}
	}
	t, err := containerPath(m.Target)
	if err != nil {
		return mount.Mount{}, fmt.Errorf("mount %q: target: %w", spec, err)
	}
	m.Target = t
	return m, nil
}

func cleanPath(p string) string { return path.Clean(p) }

func volOpts(m *mount.Mount) *mount.VolumeOptions {
	if m.VolumeOptions == nil {
		m.VolumeOptions = &mount.VolumeOptions{}
	}
	return m.VolumeOptions
}

func tmpfsOpts(m *mount.Mount) *mount.TmpfsOptions {
	if m.TmpfsOptions == nil {
		m.TmpfsOptions = &mount.TmpfsOptions{}
	}
	return m.TmpfsOptions
}

// WithAddedEnvFile adds the variables of an env file, docker's --env-file
// format: one KEY=value per line (the value taken literally, quotes
// included), blank lines and lines starting with # ignored, and a bare
// KEY taking its value from this process's environment (an error when it
// is not set, rather than a silent drop). The file is read when the option
// runs.
func WithAddedEnvFile(path string) Option {
	return func(sp *Spec) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("env file: %w", err)
		}
		env, err := parseEnvFile(path, b)
		if err != nil {
			return err
		}
		sp.Config.Env = append(sp.Config.Env, env...)
		return nil
	}
}

func parseEnvFile(path string, b []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.IndexByte(line, 0) >= 0 {
			return nil, fmt.Errorf("env file %s:%d: contains NUL", path, n)
		}
		k, v, ok := strings.Cut(trimmed, "=")
		if k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("env file %s:%d: variable name %q: empty or contains whitespace", path, n, k)
		}
		if !ok {
			val, set := os.LookupEnv(k)
			if !set {
				return nil, fmt.Errorf("env file %s:%d: %s has no value and is not set in the environment", path, n, k)
			}
			v = val
		}
		out = append(out, k+"="+v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("env file %s: %w", path, err)
	}
	return out, nil
}

var aliasPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$`) })

func checkAliases(aliases []string) error {
	for _, a := range aliases {
		if !aliasPattern().MatchString(a) {
			return fmt.Errorf("network alias %q: want [a-zA-Z0-9][a-zA-Z0-9_.-]*", a)
		}
	}
	return nil
}

// endpoint returns the spec's endpoint settings for network name, made
// when missing.
func endpoint(sp *Spec, name string) *network.EndpointSettings {
	if sp.Networking == nil {
		sp.Networking = &network.NetworkingConfig{}
	}
	if sp.Networking.EndpointsConfig == nil {
		sp.Networking.EndpointsConfig = map[string]*network.EndpointSettings{}
	}
	ep := sp.Networking.EndpointsConfig[name]
	if ep == nil {
		ep = &network.EndpointSettings{}
		sp.Networking.EndpointsConfig[name] = ep
	}
	return ep
}

// WithNetworkAliases sets the names other containers on the container's
// network reach it by (docker --network-alias), replacing earlier ones.
// They apply to the network set when this option runs: give it after
// WithNetwork (Run's default network otherwise). Aliases need a
// user-defined network.
func WithNetworkAliases(aliases ...string) Option {
	return func(sp *Spec) error {
		if err := checkAliases(aliases); err != nil {
			return err
		}
		if !userDefined(sp.Network) {
			return fmt.Errorf("network aliases %v: network %q is not a user-defined network", aliases, sp.Network)
		}
		endpoint(sp, sp.Network).Aliases = slices.Clone(aliases)
		return nil
	}
}

// WithAddedNetwork attaches the container to one more user-defined
// network, with optional aliases on it. Run treats it like the main
// network (WithNetwork): joined by ID, created with inter-container traffic
// disabled when no network of that name exists, refused when it exists
// with ICC enabled unless container.network-isolation is waived, and
// removed on a failed launch only if this launch created it. The main
// network must be user-defined too ("none" and "host" cannot be combined).
func WithAddedNetwork(name string, aliases ...string) Option {
	return func(sp *Spec) error {
		if !userDefined(name) {
			return fmt.Errorf("added network %q: want a user-defined network (not none, host, bridge or container:)", name)
		}
		if !namePattern().MatchString(name) {
			return fmt.Errorf("added network %q: not a valid network name", name)
		}
		if err := checkAliases(aliases); err != nil {
			return err
		}
		ep := endpoint(sp, name)
		for _, a := range aliases {
			if !slices.Contains(ep.Aliases, a) {
				ep.Aliases = append(ep.Aliases, a)
			}
		}
		return nil
	}
}

// extraNetworks returns the names of the networks the spec joins besides
// its main one, sorted.
func (sp *Spec) extraNetworks() []string {
	if sp.Networking == nil {
		return nil
	}
	var out []string
	for n := range sp.Networking.EndpointsConfig {
		if n != sp.Network && n != string(sp.HostConfig.NetworkMode) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
