package perms

import (
	"io/fs"
	"slices"

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

// SpecOf returns the expectation of a file class.
func SpecOf(c FileClass) (Spec, bool) {
	for _, s := range specs {
		if s.Class == c {
			return s.clone(), true
		}
	}
	return Spec{}, false
}

// Specs returns the expectations behind the file rules, one per class, in
// catalog order: a copy the caller may change.
func Specs() []Spec {
	out := make([]Spec, len(specs))
	for i, s := range specs {
		out[i] = s.clone()
	}
	return out
}

func (s Spec) clone() Spec {
	s.Groups = slices.Clone(s.Groups)
	return s
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
	for _, s := range specs {
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
