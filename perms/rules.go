package perms

import (
	"io/fs"
	"strings"

	"github.com/safedock/safedock/rule"
)

// FileClass names one kind of Docker file the rules examine (docker.service,
// the Docker socket, daemon.json, ...). Each class has two rules, one per
// CIS control: ownership (OwnerRule, e.g. CIS 3.1) and permissions
// (ModeRule, e.g. CIS 3.2), so a report never marks one control failed
// because of the other.
type FileClass string

// File classes. Their names are the prefix of their rules' IDs.
const (
	DockerService    FileClass = "file.docker-service"
	DockerSocketUnit FileClass = "file.docker-socket-unit"
	EtcDocker        FileClass = "file.etc-docker"
	RegistryCerts    FileClass = "file.registry-certs"
	TLSCACert        FileClass = "file.tls-ca-cert"
	TLSServerCert    FileClass = "file.tls-server-cert"
	TLSServerKey     FileClass = "file.tls-server-key"
	DockerSock       FileClass = "file.docker-sock"
	DaemonJSON       FileClass = "file.daemon-json"
	EtcDefaultDocker FileClass = "file.etc-default-docker"
	SysconfigDocker  FileClass = "file.etc-sysconfig-docker"
	ContainerdSock   FileClass = "file.containerd-sock"
	DataRoot         FileClass = "file.data-root"
)

// OwnerRule is the ID of the class's ownership rule ("<class>.owner").
func (c FileClass) OwnerRule() rule.ID { return rule.ID(string(c) + ".owner") }

// ModeRule is the ID of the class's permissions rule ("<class>.mode").
func (c FileClass) ModeRule() rule.ID { return rule.ID(string(c) + ".mode") }

// Rule IDs. They are stable; CIS numbers are references on the rules, one
// each.
const (
	FileDockerServiceOwner      rule.ID = "file.docker-service.owner"       // CIS 3.1
	FileDockerServiceMode       rule.ID = "file.docker-service.mode"        // CIS 3.2
	FileDockerSocketUnitOwner   rule.ID = "file.docker-socket-unit.owner"   // CIS 3.3
	FileDockerSocketUnitMode    rule.ID = "file.docker-socket-unit.mode"    // CIS 3.4
	FileEtcDockerOwner          rule.ID = "file.etc-docker.owner"           // CIS 3.5
	FileEtcDockerMode           rule.ID = "file.etc-docker.mode"            // CIS 3.6
	FileRegistryCertsOwner      rule.ID = "file.registry-certs.owner"       // CIS 3.7
	FileRegistryCertsMode       rule.ID = "file.registry-certs.mode"        // CIS 3.8
	FileTLSCACertOwner          rule.ID = "file.tls-ca-cert.owner"          // CIS 3.9
	FileTLSCACertMode           rule.ID = "file.tls-ca-cert.mode"           // CIS 3.10
	FileTLSServerCertOwner      rule.ID = "file.tls-server-cert.owner"      // CIS 3.11
	FileTLSServerCertMode       rule.ID = "file.tls-server-cert.mode"       // CIS 3.12
	FileTLSServerKeyOwner       rule.ID = "file.tls-server-key.owner"       // CIS 3.13
	FileTLSServerKeyMode        rule.ID = "file.tls-server-key.mode"        // CIS 3.14
	FileDockerSockOwner         rule.ID = "file.docker-sock.owner"          // CIS 3.15
	FileDockerSockMode          rule.ID = "file.docker-sock.mode"           // CIS 3.16
	FileDaemonJSONOwner         rule.ID = "file.daemon-json.owner"          // CIS 3.17
	FileDaemonJSONMode          rule.ID = "file.daemon-json.mode"           // CIS 3.18
	FileEtcDefaultDockerOwner   rule.ID = "file.etc-default-docker.owner"   // CIS 3.19
	FileEtcDefaultDockerMode    rule.ID = "file.etc-default-docker.mode"    // CIS 3.20
	FileEtcSysconfigDockerOwner rule.ID = "file.etc-sysconfig-docker.owner" // CIS 3.21
	FileEtcSysconfigDockerMode  rule.ID = "file.etc-sysconfig-docker.mode"  // CIS 3.22
	FileContainerdSockOwner     rule.ID = "file.containerd-sock.owner"      // CIS 3.23
	FileContainerdSockMode      rule.ID = "file.containerd-sock.mode"       // CIS 3.24
	FileDataRootOwner           rule.ID = "file.data-root.owner"
	FileDataRootMode            rule.ID = "file.data-root.mode"
	FileConfigurationReadable   rule.ID = "file.configuration-readable"
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

// Spec is the expected state of the files of one class.
type Spec struct {
	Class FileClass
	Kind  Kind
	// Owner is the user name that must own the file.
	Owner string
	// Groups are the acceptable group names, the CIS one first. Root is
	// always among them: a group of root is never less strict.
	Groups []string
	// MaxPerm is the most permissive mode allowed: a file passes when it has
	// no permission bit outside MaxPerm (a bitwise test).
	MaxPerm uint32
}

// classDoc documents one class: what its two rules say and cite.
type classDoc struct {
	class      FileClass
	what       string // "docker.service"
	owner      string // "root:root"
	mode       string // "644 or stricter"
	cisOwner   string
	cisMode    string
	severity   rule.Severity
	rationale  string
	fixOwner   string // the chown to run
	fixMode    string // the chmod to run
	afterFixes string // what else keeps it so, or ""
}

var classDocs = []classDoc{
	{DockerService, "docker.service (and its drop-ins)", "root:root", "644 or stricter", "3.1", "3.2", rule.SeverityHigh,
		"docker.service decides how dockerd starts and with which flags; whoever can edit it controls the daemon, which is root on the host.",
		"chown root:root the unit file and its drop-ins", "chmod go-w the unit file and its drop-ins (644 or stricter)", ""},
	{DockerSocketUnit, "docker.socket", "root:root", "644 or stricter", "3.3", "3.4", rule.SeverityHigh,
		"docker.socket sets the path, owner and mode of the API socket; editing it hands out control of the daemon.",
		"chown root:root docker.socket", "chmod 644 (or stricter) docker.socket", ""},
	{EtcDocker, "/etc/docker", "root:root", "755 or stricter", "3.5", "3.6", rule.SeverityHigh,
		"/etc/docker holds daemon.json, TLS material and registry certificates; a writable directory lets anyone replace them.",
		"chown root:root /etc/docker", "chmod 755 (or stricter) /etc/docker", ""},
	{RegistryCerts, "registry certificates", "root:root", "444 or stricter", "3.7", "3.8", rule.SeverityHigh,
		"Certificates under /etc/docker/certs.d decide which registries the daemon trusts; a writable one lets an attacker swap trust anchors.",
		"chown root:root every file under /etc/docker/certs.d", "chmod 444 (or stricter) every file under /etc/docker/certs.d", ""},
	{TLSCACert, "the daemon's TLS CA certificate", "root:root", "444 or stricter", "3.9", "3.10", rule.SeverityHigh,
		"The CA certificate decides which clients may drive a TLS-protected daemon; replacing it admits any client.",
		"chown root:root the file named by tlscacert", "chmod 444 the file named by tlscacert", ""},
	{TLSServerCert, "the daemon's TLS server certificate", "root:root", "444 or stricter", "3.11", "3.12", rule.SeverityHigh,
		"A replaced server certificate lets an attacker impersonate the daemon to its clients.",
		"chown root:root the file named by tlscert", "chmod 444 the file named by tlscert", ""},
	{TLSServerKey, "the daemon's TLS server key", "root:root", "400", "3.13", "3.14", rule.SeverityCritical,
		"Anyone who can read the server key can impersonate the daemon; it must be readable by root only.",
		"chown root:root the file named by tlskey", "chmod 400 the file named by tlskey", ""},
	{DockerSock, "the Docker socket", "root:docker", "660 or stricter", "3.15", "3.16", rule.SeverityCritical,
		"Access to the Docker socket is root on the host; only root and the docker group may have it.",
		"chown root:docker (or root:root) the socket", "chmod 660 (or stricter) the socket",
		"set SocketUser/SocketGroup/SocketMode in docker.socket so it stays so after a restart"},
	{DaemonJSON, "daemon.json", "root:root", "644 or stricter", "3.17", "3.18", rule.SeverityHigh,
		"daemon.json configures the daemon; whoever can edit it controls the daemon at its next start.",
		"chown root:root daemon.json", "chmod 644 (or stricter) daemon.json", ""},
	{EtcDefaultDocker, "/etc/default/docker", "root:root", "644 or stricter", "3.19", "3.20", rule.SeverityHigh,
		"/etc/default/docker supplies dockerd's flags (DOCKER_OPTS) on Debian-family systems.",
		"chown root:root /etc/default/docker", "chmod 644 (or stricter) /etc/default/docker", ""},
	{SysconfigDocker, "/etc/sysconfig/docker", "root:root", "644 or stricter", "3.21", "3.22", rule.SeverityHigh,
		"/etc/sysconfig/docker supplies dockerd's flags on Red Hat-family systems.",
		"chown root:root /etc/sysconfig/docker", "chmod 644 (or stricter) /etc/sysconfig/docker", ""},
	{ContainerdSock, "the containerd socket", "root:root", "660 or stricter", "3.23", "3.24", rule.SeverityCritical,
		"containerd's socket is as powerful as Docker's: it creates privileged containers without asking dockerd.",
		"chown root:root containerd.sock", "chmod 660 (or stricter) containerd.sock",
		"set [grpc] uid/gid in containerd's config so it stays so"},
	{DataRoot, "the data root", "root:root", "711 or stricter", "", "", rule.SeverityMedium,
		"The data root holds every image layer, volume and container filesystem; dockerd creates it root-owned and 0711 (0710 with user namespaces) so other users cannot list or alter it.",
		"chown root:root the data root", "chmod 711 (or stricter) the data root", ""},
}

func cis(ref string) []string {
	if ref == "" {
		return nil
	}
	return []string{ref}
}

func buildCatalog() rule.Catalog {
	var out rule.Catalog
	for _, d := range classDocs {
		verb := " is "
		if strings.HasSuffix(d.what, "certificates") {
			verb = " are "
		}
		tail := "; or run `safedock perms fix --apply`."
		if d.afterFixes != "" {
			tail = "; " + d.afterFixes + ". `safedock perms fix --apply` fixes the file itself."
		}
		out = append(out,
			rule.Rule{ID: d.class.OwnerRule(), Title: d.what + verb + "owned by " + d.owner, Severity: d.severity, CIS: cis(d.cisOwner),
				Rationale: d.rationale, Remediation: strings.ToUpper(d.fixOwner[:1]) + d.fixOwner[1:] + tail},
			rule.Rule{ID: d.class.ModeRule(), Title: d.what + verb + d.mode, Severity: d.severity, CIS: cis(d.cisMode),
				Rationale: d.rationale, Remediation: strings.ToUpper(d.fixMode[:1]) + d.fixMode[1:] + tail},
		)
	}
	return append(out, rule.Rule{ID: FileConfigurationReadable, Title: "the daemon's configuration can be read", Severity: rule.SeverityMedium,
		Rationale:   "File paths come from daemon.json and dockerd's flags; when daemon.json cannot be parsed the TLS files, sockets and data root it names are unknown, so their checks cannot be trusted.",
		Remediation: "Make daemon.json valid JSON with correctly typed keys (package daemonconf validates it in full) and run the check again."})
}

// Catalog holds the rules of this package: an ownership and a permissions
// rule for every FileClass, then FileConfigurationReadable.
var Catalog = buildCatalog()

// Specs are the expectations behind the file rules, one per class.
var Specs = []Spec{
	{Class: DockerService, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Class: DockerSocketUnit, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Class: EtcDocker, Kind: Directory, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o755},
	{Class: RegistryCerts, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Class: TLSCACert, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Class: TLSServerCert, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o444},
	{Class: TLSServerKey, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o400},
	{Class: DockerSock, Kind: Socket, Owner: "root", Groups: []string{"docker", "root"}, MaxPerm: 0o660},
	{Class: DaemonJSON, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Class: EtcDefaultDocker, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Class: SysconfigDocker, Kind: Regular, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o644},
	{Class: ContainerdSock, Kind: Socket, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o660},
	{Class: DataRoot, Kind: Directory, Owner: "root", Groups: []string{"root"}, MaxPerm: 0o711},
}

// SpecOf returns the expectation of a file class.
func SpecOf(c FileClass) (Spec, bool) {
	for _, s := range Specs {
		if s.Class == c {
			return s, true
		}
	}
	return Spec{}, false
}

// SpecFor returns the expectation behind a file rule (an ownership or a
// permissions rule).
func SpecFor(id rule.ID) (Spec, bool) {
	c, ok := ClassOf(id)
	if !ok {
		return Spec{}, false
	}
	return SpecOf(c)
}

// ClassOf returns the class of an ownership or permissions rule.
func ClassOf(id rule.ID) (FileClass, bool) {
	for _, s := range Specs {
		if id == s.Class.OwnerRule() || id == s.Class.ModeRule() {
			return s.Class, true
		}
	}
	return "", false
}

// Stricter reports whether perm has no bit outside max: the bitwise meaning
// of "max or stricter". 0470 is not "644 or stricter" (it gives the group
// write and execute), although 0470 < 0644.
func Stricter(perm, max uint32) bool { return perm&^max == 0 }
