package perms

import (
	"io/fs"

	"github.com/safedock/safedock/rule"
)

// Rule IDs. They are stable; CIS numbers are references on the rules.
const (
	DockerService     rule.ID = "file.docker-service"
	DockerSocketUnit  rule.ID = "file.docker-socket-unit"
	EtcDocker         rule.ID = "file.etc-docker"
	RegistryCerts     rule.ID = "file.registry-certs"
	TLSCACert         rule.ID = "file.tls-ca-cert"
	TLSServerCert     rule.ID = "file.tls-server-cert"
	TLSServerKey      rule.ID = "file.tls-server-key"
	DockerSock        rule.ID = "file.docker-sock"
	DaemonJSON        rule.ID = "file.daemon-json"
	EtcDefaultDocker  rule.ID = "file.etc-default-docker"
	SysconfigDocker   rule.ID = "file.etc-sysconfig-docker"
	ContainerdSock    rule.ID = "file.containerd-sock"
	DataRoot          rule.ID = "file.data-root"
	ConfigurationRead rule.ID = "file.configuration-readable"
)

// Kind is the file type a rule expects.
type Kind int

// Kinds of file.
const (
	Regular Kind = iota + 1
	Directory
	Socket
)

func (k Kind) String() string {
	switch k {
	case Regular:
		return "regular file"
	case Directory:
		return "directory"
	case Socket:
		return "socket"
	}
	return "unknown"
}

func (k Kind) matches(m fs.FileMode) bool {
	switch k {
	case Regular:
		return m.IsRegular()
	case Directory:
		return m.IsDir()
	case Socket:
		return m&fs.ModeSocket != 0
	}
	return false
}

// Spec is the expected state of the files of one rule.
type Spec struct {
	Rule rule.ID
	Kind Kind
	// Owner is the user name that must own the file.
	Owner string
	// Groups are the acceptable group names, the CIS one first. Root is
	// always among them: a group of root is never less strict.
	Groups []string
	// MaxPerm is the most permissive mode allowed: a file passes when it has
	// no permission bit outside MaxPerm (a bitwise test).
	MaxPerm uint32
}

// Catalog holds the rules of this package.
var Catalog = rule.Catalog{
	{ID: DockerService, Title: "docker.service is root:root and 644 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.1", "3.2"},
		Rationale:   "docker.service decides how dockerd starts and with which flags; whoever can edit it controls the daemon, which is root on the host.",
		Remediation: "chown root:root on the unit file and its drop-ins, and chmod go-w (644 or stricter); or run `safedock perms fix --apply`."},
	{ID: DockerSocketUnit, Title: "docker.socket is root:root and 644 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.3", "3.4"},
		Rationale:   "docker.socket sets the path, owner and mode of the API socket; editing it hands out control of the daemon.",
		Remediation: "chown root:root docker.socket and chmod 644 or stricter; or run `safedock perms fix --apply`."},
	{ID: EtcDocker, Title: "/etc/docker is root:root and 755 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.5", "3.6"},
		Rationale:   "/etc/docker holds daemon.json, TLS material and registry certificates; a writable directory lets anyone replace them.",
		Remediation: "chown root:root /etc/docker and chmod 755 or stricter; or run `safedock perms fix --apply`."},
	{ID: RegistryCerts, Title: "registry certificates are root:root and 444 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.7", "3.8"},
		Rationale:   "Certificates under /etc/docker/certs.d decide which registries the daemon trusts; a writable one lets an attacker swap trust anchors.",
		Remediation: "chown root:root and chmod 444 (or stricter) every file under /etc/docker/certs.d; or run `safedock perms fix --apply`."},
	{ID: TLSCACert, Title: "the daemon's TLS CA certificate is root:root and 444 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.9", "3.10"},
		Rationale:   "The CA certificate decides which clients may drive a TLS-protected daemon; replacing it admits any client.",
		Remediation: "chown root:root and chmod 444 the file named by tlscacert; or run `safedock perms fix --apply`."},
	{ID: TLSServerCert, Title: "the daemon's TLS server certificate is root:root and 444 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.11", "3.12"},
		Rationale:   "A replaced server certificate lets an attacker impersonate the daemon to its clients.",
		Remediation: "chown root:root and chmod 444 the file named by tlscert; or run `safedock perms fix --apply`."},
	{ID: TLSServerKey, Title: "the daemon's TLS server key is root:root and 400", Severity: rule.SeverityCritical, CIS: []string{"3.13", "3.14"},
		Rationale:   "Anyone who can read the server key can impersonate the daemon; it must be readable by root only.",
		Remediation: "chown root:root and chmod 400 the file named by tlskey; or run `safedock perms fix --apply`."},
	{ID: DockerSock, Title: "the Docker socket is root:docker and 660 or stricter", Severity: rule.SeverityCritical, CIS: []string{"3.15", "3.16"},
		Rationale:   "Access to the Docker socket is root on the host; only root and the docker group may have it.",
		Remediation: "chown root:docker (or root:root) and chmod 660 or stricter the socket; set SocketUser/SocketGroup/SocketMode in docker.socket so it stays so after a restart."},
	{ID: DaemonJSON, Title: "daemon.json is root:root and 644 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.17", "3.18"},
		Rationale:   "daemon.json configures the daemon; whoever can edit it controls the daemon at its next start.",
		Remediation: "chown root:root and chmod 644 or stricter daemon.json; or run `safedock perms fix --apply`."},
	{ID: EtcDefaultDocker, Title: "/etc/default/docker is root:root and 644 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.19", "3.20"},
		Rationale:   "/etc/default/docker supplies dockerd's flags (DOCKER_OPTS) on Debian-family systems.",
		Remediation: "chown root:root and chmod 644 or stricter /etc/default/docker; or run `safedock perms fix --apply`."},
	{ID: SysconfigDocker, Title: "/etc/sysconfig/docker is root:root and 644 or stricter", Severity: rule.SeverityHigh, CIS: []string{"3.21", "3.22"},
		Rationale:   "/etc/sysconfig/docker supplies dockerd's flags on Red Hat-family systems.",
		Remediation: "chown root:root and chmod 644 or stricter /etc/sysconfig/docker; or run `safedock perms fix --apply`."},
	{ID: ContainerdSock, Title: "the containerd socket is root:root and 660 or stricter", Severity: rule.SeverityCritical, CIS: []string{"3.23", "3.24"},
		Rationale:   "containerd's socket is as powerful as Docker's: it creates privileged containers without asking dockerd.",
		Remediation: "chown root:root and chmod 660 or stricter containerd.sock (set [grpc] uid/gid in containerd's config so it stays so)."},
	{ID: DataRoot, Title: "the data root is root:root and 711 or stricter", Severity: rule.SeverityMedium,
		Rationale:   "The data root holds every image layer, volume and container filesystem; dockerd creates it root-owned and 0711 (0710 with user namespaces) so other users cannot list or alter it.",
		Remediation: "chown root:root and chmod 711 or stricter the data root; or run `safedock perms fix --apply`."},
	{ID: ConfigurationRead, Title: "the daemon's configuration can be read", Severity: rule.SeverityMedium,
		Rationale:   "File paths come from daemon.json and dockerd's flags; when daemon.json cannot be parsed the TLS files, sockets and data root it names are unknown, so their checks cannot be trusted.",
		Remediation: "Make daemon.json valid JSON with correctly typed keys (package daemonconf validates it in full) and run the check again."},
}

// Specs are the expectations behind the file rules, one per rule.
var Specs = []Spec{
	{Rule: DockerService, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Rule: DockerSocketUnit, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Rule: EtcDocker, Kind: Directory, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o755},
	{Rule: RegistryCerts, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Rule: TLSCACert, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Rule: TLSServerCert, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Rule: TLSServerKey, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o400},
	{Rule: DockerSock, Kind: Socket, Owner: "root", Groups: []string{"docker", "root"}, MaxPerm: 0o660},
	{Rule: DaemonJSON, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Rule: EtcDefaultDocker, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Rule: SysconfigDocker, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Rule: ContainerdSock, Kind: Socket, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o660},
	{Rule: DataRoot, Kind: Directory, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o711},
}

// SpecFor returns the expectation of a file rule.
func SpecFor(id rule.ID) (Spec, bool) {
	for _, s := range Specs {
		if s.Rule == id {
			return s, true
		}
	}
	return Spec{}, false
}

// Stricter reports whether perm has no bit outside max: the bitwise meaning
// of "max or stricter". 0470 is not "644 or stricter" (it gives the group
// write and execute), although 0470 < 0644.
func Stricter(perm, max uint32) bool { return perm&^max == 0 }
