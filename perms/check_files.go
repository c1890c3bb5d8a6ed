package perms

// This file holds the family of file rules: one ownership and one
// permissions rule per FileClass (CIS 3.1–3.24 and the data root), made from
// the classDocs and specs tables rather than written out one file per rule,
// since every pair is judged the same way (judgeOwner and judgeMode, below)
// against its class's Spec.

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

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

func buildFileChecks() rule.Checks[evaluation] {
	var out rule.Checks[evaluation]
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
			rule.Check[evaluation]{Judge: judgeOwner, Rule: rule.Rule{ID: d.class.OwnerRule(), Title: d.what + verb + "owned by " + d.owner, Severity: d.severity, CIS: cis(d.cisOwner),
				Rationale: d.rationale, Remediation: strings.ToUpper(d.fixOwner[:1]) + d.fixOwner[1:] + tail}},
			rule.Check[evaluation]{Judge: judgeMode, Rule: rule.Rule{ID: d.class.ModeRule(), Title: d.what + verb + d.mode, Severity: d.severity, CIS: cis(d.cisMode),
				Rationale: d.rationale, Remediation: strings.ToUpper(d.fixMode[:1]) + d.fixMode[1:] + tail}},
		)
	}
	return out
}

// fileChecks are the file rules: an ownership and a permissions rule for
// every FileClass, in the order of classDocs.
var fileChecks = buildFileChecks().MustValidate()

// specs are the expectations behind the file rules, one per class.
var specs = []Spec{
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

// unexamined is the result both rules of a file share when it could not be
// examined (skip) or is not a file of the expected kind (fail); ok is false
// when the file was examined and each rule judges it on its own.
func (ev evaluation) unexamined() (rule.Result, bool) {
	t := ev.target
	if ev.skip != "" {
		res := rule.Skip(ev.skip)
		res.Detail = "path from " + t.Source
		res.Method = "lstat"
		return res, true
	}
	if len(ev.fatal) > 0 {
		res := rule.Fail(t.Path+" "+strings.Join(ev.fatal, "; "), fmt.Sprintf("%s: %s; want a %s; %s", t.Path, kindOf(ev.stat.Mode), ev.spec.Kind, ev.context()))
		res.Method = "lstat"
		return res, true
	}
	return rule.Result{}, false
}

// context says where the file is and where its path came from.
func (ev evaluation) context() string {
	t := ev.target
	var where []string
	if ev.stat.Resolved != "" && ev.stat.Resolved != t.Path {
		where = append(where, "resolves to "+ev.stat.Resolved)
	}
	if !ev.live {
		where = append(where, "root "+ev.rootDir)
	}
	if ev.hardLinked() {
		where = append(where, fmt.Sprintf("%d hard links (perms fix refuses to change it)", ev.stat.Nlink))
	}
	where = append(where, "path from "+t.Source)
	return strings.Join(where, "; ")
}

// judgeOwner judges a file's "<class>.owner" rule: its owner and group
// against the Spec's.
func judgeOwner(ev evaluation) rule.Result {
	if res, ok := ev.unexamined(); ok {
		return res
	}
	t := ev.target
	seenOwner := fmt.Sprintf("%s:%s (uid %d, gid %d)", ev.userName, ev.groupName, ev.stat.UID, ev.stat.GID)
	wantOwner := fmt.Sprintf("%s:%s", ev.spec.Owner, strings.Join(ev.spec.Groups, "|"))
	var problems []string
	if !ev.ownerOK {
		problems = append(problems, fmt.Sprintf("owner is %s (uid %d), not %s (uid %d)", ev.userName, ev.stat.UID, ev.spec.Owner, ev.wantUID))
	}
	if !ev.groupOK {
		problems = append(problems, fmt.Sprintf("group is %s (gid %d), not %s", ev.groupName, ev.stat.GID, strings.Join(ev.spec.Groups, " or ")))
	}
	detail := fmt.Sprintf("%s: owner %s; want %s; %s", t.Path, seenOwner, wantOwner, ev.context())
	if ev.ownerNote != "" {
		detail += "; " + ev.ownerNote
	}
	var res rule.Result
	if len(problems) == 0 {
		res = rule.Pass(fmt.Sprintf("%s is owned by %s:%s", t.Path, ev.userName, ev.groupName), detail)
	} else {
		res = rule.Fail(t.Path+": "+strings.Join(problems, "; "), detail)
	}
	res.Method = "lstat"
	return res
}

// judgeMode judges a file's "<class>.mode" rule: no permission bit outside
// the Spec's MaxPerm.
func judgeMode(ev evaluation) rule.Result {
	if res, ok := ev.unexamined(); ok {
		return res
	}
	t := ev.target
	detail := fmt.Sprintf("%s: mode %04o; want %04o or stricter; %s", t.Path, ev.stat.Perm, ev.spec.MaxPerm, ev.context())
	var res rule.Result
	if ev.modeOK {
		res = rule.Pass(fmt.Sprintf("%s is %04o", t.Path, ev.stat.Perm), detail)
	} else {
		res = rule.Fail(fmt.Sprintf("%s: mode %04o has bits %04o outside %04o", t.Path, ev.stat.Perm, ev.stat.Perm&^ev.spec.MaxPerm, ev.spec.MaxPerm), detail)
	}
	res.Method = "lstat"
	return res
}
