package daemonconf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/safedock/safedock/rule"
)

// Option adjusts what Generate produces. Options validate their input.
type Option func(*settings) error

type settings struct {
	version      Version
	userns       string
	tls          *tlsFiles
	listen       []string
	socket       string
	logDriver    string
	syslogAddr   string
	maxSize      string
	maxFile      int
	cgroupParent string
	seccomp      string
	authz        []string
	nofileSoft   int64
	nofileHard   int64
	liveRestore  bool
	waivers      rule.Waivers
}

type tlsFiles struct{ ca, cert, key string }

// WithEngineVersion says which engine will read the file (default Oldest).
func WithEngineVersion(ver Version) Option {
	return func(s *settings) error { s.version = ver; return nil }
}

// WithUsernsRemap sets userns-remap ("default" unless given; "user" or
// "user:group"). Root ("root", "0", "0:0", "root:GROUP") is refused: dockerd
// turns user namespaces off for it. Turning remapping off needs
// Waive(DaemonUsernsRemap, ...).
func WithUsernsRemap(spec string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(spec) == "" || strings.ContainsAny(spec, " \t\n") {
			return fmt.Errorf("userns-remap %q: want default, USER or USER:GROUP", spec)
		}
		if root, why := RemapsToRoot(spec, nil); root {
			return fmt.Errorf("%s: dockerd turns user namespaces off when remapping to root; use \"default\" (dockerd creates the unprivileged dockremap user) or an unprivileged USER[:GROUP] with /etc/subuid and /etc/subgid ranges, or waive %s to turn remapping off on purpose", why, DaemonUsernsRemap)
		}
		s.userns = spec
		return nil
	}
}

// WithTLS makes dockerd listen on the given TCP addresses (host:port) with
// mutual TLS (tlsverify), besides the unix socket. Paths must be absolute.
func WithTLS(caCert, cert, key string, listen ...string) Option {
	return func(s *settings) error {
		for _, p := range []string{caCert, cert, key} {
			if !filepath.IsAbs(p) {
				return fmt.Errorf("tls file %q: want an absolute path", p)
			}
		}
		if len(listen) == 0 {
			return fmt.Errorf("tls: no listen address")
		}
		for _, l := range listen {
			if _, _, err := net.SplitHostPort(l); err != nil {
				return fmt.Errorf("tls listen address %q: %w", l, err)
			}
		}
		s.tls, s.listen = &tlsFiles{caCert, cert, key}, listen
		return nil
	}
}

// WithSocket sets the unix socket written to "hosts" when WithTLS adds TCP
// listeners (default /var/run/docker.sock).
func WithSocket(path string) Option {
	return func(s *settings) error {
		p := strings.TrimPrefix(path, "unix://")
		if !filepath.IsAbs(p) {
			return fmt.Errorf("socket %q: want an absolute path", path)
		}
		s.socket = p
		return nil
	}
}

// WithSyslog sends container logs to a remote syslog (CIS 2.13); address
// is udp://, tcp://, tcp+tls://, unix:// or unixgram://.
func WithSyslog(address string) Option {
	return func(s *settings) error {
		scheme, rest, ok := strings.Cut(address, "://")
		switch scheme {
		case "udp", "tcp", "tcp+tls", "unix", "unixgram":
		default:
			ok = false
		}
		if !ok || rest == "" {
			return fmt.Errorf("syslog address %q: want proto://address with proto udp, tcp, tcp+tls, unix or unixgram", address)
		}
		s.logDriver, s.syslogAddr = "syslog", address
		return nil
	}
}

// WithLocalLogs keeps logs on the host with the local driver, rotated at
// maxSize (e.g. "20m") with maxFiles files.
func WithLocalLogs(maxSize string, maxFiles int) Option {
	return func(s *settings) error {
		if !sizePattern().MatchString(maxSize) || maxFiles < 1 {
			return fmt.Errorf("local logs: max-size %q / max-file %d: want a size like 20m and at least one file", maxSize, maxFiles)
		}
		s.logDriver, s.maxSize, s.maxFile = "local", maxSize, maxFiles
		return nil
	}
}

// WithCgroupParent sets the parent cgroup of all containers (CIS 2.10).
func WithCgroupParent(parent string) Option {
	return func(s *settings) error {
		if parent == "" || strings.Contains(parent, "..") {
			return fmt.Errorf("cgroup parent %q: want a cgroup name", parent)
		}
		s.cgroupParent = parent
		return nil
	}
}

// WithSeccompProfile sets a custom seccomp profile file (CIS 2.17).
// "unconfined" is refused: the floor only rises.
func WithSeccompProfile(path string) Option {
	return func(s *settings) error {
		if !filepath.IsAbs(path) {
			return fmt.Errorf("seccomp profile %q: want an absolute path", path)
		}
		s.seccomp = path
		return nil
	}
}

// WithAuthorizationPlugins lists authorization plugins (CIS 2.12); they
// must be installed before dockerd starts.
func WithAuthorizationPlugins(names ...string) Option {
	return func(s *settings) error {
		for _, n := range names {
			if n == "" {
				return fmt.Errorf("authorization plugin: empty name")
			}
		}
		s.authz = append(s.authz, names...)
		return nil
	}
}

// WithDefaultNofile sets the containers' default open-files limits
// (default 1024:4096); hard must not exceed dockerd's own hard limit.
func WithDefaultNofile(soft, hard int64) Option {
	return func(s *settings) error {
		if soft < 1 || hard < soft {
			return fmt.Errorf("nofile %d:%d: want 1 <= soft <= hard", soft, hard)
		}
		s.nofileSoft, s.nofileHard = soft, hard
		return nil
	}
}

// Waive loosens one rule on purpose: DaemonUsernsRemap (no remapping),
// DaemonLiveRestore (swarm nodes). Others cannot be loosened by Generate.
func Waive(id rule.ID, reason string) Option {
	return func(s *settings) error {
		switch id {
		case DaemonUsernsRemap, DaemonLiveRestore:
		default:
			return fmt.Errorf("waive %s: Generate cannot loosen this rule", id)
		}
		return s.waivers.Waive(id, reason)
	}
}

// Generate returns a hardened daemon.json with every CIS 2.x default:
// icc off, log-level info, iptables on, no insecure registries, overlay2,
// mutual TLS on TCP sockets, default ulimits, userns-remap, rotated or
// remote logs, no-new-privileges, live-restore, no userland proxy,
// experimental off. It never emits disable-legacy-registry. The output is
// checked with Validate and returned only if dockerd would accept it.
func Generate(opts ...Option) ([]byte, error) {
	s := &settings{userns: "default", logDriver: "local", maxSize: "20m", maxFile: 5, nofileSoft: 1024, nofileHard: 4096,
		liveRestore: true, waivers: rule.Waivers{}, socket: "/var/run/docker.sock"}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, fmt.Errorf("generate daemon.json: %w", err)
		}
	}
	m := map[string]any{
		"icc": false, "log-level": "info", "iptables": true, "storage-driver": "overlay2",
		"default-ulimits": defaultUlimits(s.nofileSoft, s.nofileHard), "no-new-privileges": true,
		"userland-proxy": false, "experimental": false,
	}
	if _, waived := s.waivers[DaemonUsernsRemap]; !waived {
		m["userns-remap"] = s.userns
	}
	if _, waived := s.waivers[DaemonLiveRestore]; !waived {
		m["live-restore"] = true
	}
	switch s.logDriver {
	case "syslog":
		m["log-driver"] = "syslog"
		m["log-opts"] = map[string]any{"syslog-address": s.syslogAddr, "tag": "{{.Name}}/{{.ID}}"}
	default:
		m["log-driver"] = "local"
		m["log-opts"] = map[string]any{"max-size": s.maxSize, "max-file": fmt.Sprint(s.maxFile)}
	}
	if s.tls != nil {
		hosts := []any{"unix://" + s.socket}
		for _, l := range s.listen {
			hosts = append(hosts, "tcp://"+l)
		}
		m["hosts"] = hosts
		m["tlsverify"] = true
		m["tlscacert"], m["tlscert"], m["tlskey"] = s.tls.ca, s.tls.cert, s.tls.key
	}
	if s.cgroupParent != "" {
		m["cgroup-parent"] = s.cgroupParent
	}
	if s.seccomp != "" {
		m["seccomp-profile"] = s.seccomp
	}
	if len(s.authz) > 0 {
		m["authorization-plugins"] = s.authz
	}
	out, err := marshal(m)
	if err != nil {
		return nil, fmt.Errorf("generate daemon.json: %w", err)
	}
	res := Validate(out, Options{Version: s.version})
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("generate daemon.json: %w", err)
	}
	return out, nil
}

// marshal renders m with sorted keys, two-space indent, no HTML escaping.
func marshal(m map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
