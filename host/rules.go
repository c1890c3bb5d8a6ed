package host

import (
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// Rule IDs of the host checks.
const (
	HostDataRootMount      rule.ID = "host.data-root-mount"
	HostSocketGroupMembers rule.ID = "host.socket-group-members"
	HostKernelVersion      rule.ID = "host.kernel-version"
	HostKernelFeatures     rule.ID = "host.kernel-features"
	HostEngineVersion      rule.ID = "host.engine-version"
	HostOperatingSystem    rule.ID = "host.operating-system"
)

// Rule IDs of the audit-rule checks, one per CIS 1.1.3–1.1.18 item.
const (
	AuditDockerd              rule.ID = "audit.dockerd"
	AuditRunContainerd        rule.ID = "audit.run-containerd"
	AuditDataRoot             rule.ID = "audit.data-root"
	AuditEtcDocker            rule.ID = "audit.etc-docker"
	AuditDockerService        rule.ID = "audit.docker-service"
	AuditContainerdSock       rule.ID = "audit.containerd-sock"
	AuditDockerSocketUnit     rule.ID = "audit.docker-socket-unit"
	AuditEtcDefaultDocker     rule.ID = "audit.etc-default-docker"
	AuditDaemonJSON           rule.ID = "audit.daemon-json"
	AuditContainerdConfig     rule.ID = "audit.containerd-config"
	AuditEtcSysconfigDocker   rule.ID = "audit.etc-sysconfig-docker"
	AuditContainerd           rule.ID = "audit.containerd"
	AuditContainerdShim       rule.ID = "audit.containerd-shim"
	AuditContainerdShimRuncV1 rule.ID = "audit.containerd-shim-runc-v1"
	AuditContainerdShimRuncV2 rule.ID = "audit.containerd-shim-runc-v2"
	AuditRunc                 rule.ID = "audit.runc"
)

// Rule IDs of the audit-rule checks of a Podman host: Podman's
// equivalents of dockerd's files, which CIS has no control for.
const (
	AuditPodman           rule.ID = "audit.podman"
	AuditEtcContainers    rule.ID = "audit.etc-containers"
	AuditVarLibContainers rule.ID = "audit.var-lib-containers"
	AuditContainersConf   rule.ID = "audit.containers-conf"
	AuditPodmanSock       rule.ID = "audit.podman-sock"
	AuditPodmanService    rule.ID = "audit.podman-service"
	AuditPodmanSocketUnit rule.ID = "audit.podman-socket-unit"
)

// hostChecks are the host rules, in report order; each lives in its own
// check_*.go file with its test. The audit.* rules are auditChecks
// (check_audit.go).
var hostChecks = rule.Checks[*env]{
	checkDataRootMount,
	checkSocketGroupMembers,
	checkKernelVersion,
	checkKernelFeatures,
	checkEngineVersion,
	checkOperatingSystem,
}.MustValidate()

// Rules returns the rules of this package, the host rules then the audit
// rules: a copy the caller may change.
func Rules() rule.Catalog {
	return append(hostChecks.Catalog(), auditChecks.Catalog()...)
}

// target names what the finding of a host rule is about.
func (e *env) target(id rule.ID) string {
	switch id {
	case HostDataRootMount:
		dr, _ := e.dataRoot()
		return "host:" + dr
	case HostSocketGroupMembers:
		sock, _ := e.socketPath()
		return "file:" + hostfs.Clean(sock)
	case HostKernelVersion, HostKernelFeatures:
		return "host:kernel"
	case HostEngineVersion:
		return "host:engine"
	case HostOperatingSystem:
		return "host:os"
	}
	return "host:" + strings.TrimPrefix(string(id), "host.")
}
