package host

import "github.com/safedock/safedock/rule"

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

const auditRemediation = "Add the watch to a file in /etc/audit/rules.d/ (`safedock audit-rules > /etc/audit/rules.d/docker.rules`) and load it with `augenrules --load` (or `auditctl -R`)."

func auditRule(id rule.ID, cis, what string) rule.Rule {
	return rule.Rule{
		ID: id, Title: "auditd watches " + what, Severity: rule.SeverityMedium, CIS: []string{cis},
		Rationale:   "dockerd runs as root; an audit trail of changes to " + what + " is how a compromise or a careless change is found afterwards.",
		Remediation: auditRemediation,
	}
}

// Catalog holds the rules of this package.
var Catalog = rule.Catalog{
	{ID: HostDataRootMount, Title: "the data root is on its own filesystem", Severity: rule.SeverityMedium, CIS: []string{"1.1.1"},
		Rationale:   "Images, containers and volumes grow without bound; on the root filesystem they can fill it and stop the host.",
		Remediation: "Mount a dedicated filesystem (partition or LVM volume) at the data root, e.g. /var/lib/docker, and list it in /etc/fstab."},
	{ID: HostSocketGroupMembers, Title: "only trusted users control the daemon", Severity: rule.SeverityHigh, CIS: []string{"1.1.2"},
		Rationale:   "Members of the group that owns the Docker socket can start a privileged container: they are root on the host.",
		Remediation: "Remove untrusted users from the socket's group (gpasswd -d USER docker); consider rootless Docker or an authorization plugin."},
	{ID: HostKernelVersion, Title: "the kernel is 3.10 or newer", Severity: rule.SeverityHigh,
		Rationale:   "Docker requires Linux 3.10 at least; older kernels lack the namespaces and cgroups it depends on.",
		Remediation: "Upgrade the kernel (the distribution's supported kernel is newer than 3.10)."},
	{ID: HostKernelFeatures, Title: "the kernel has the features the daemon's configuration uses", Severity: rule.SeverityMedium,
		Rationale:   "overlay2 needs Linux 4.0 and the overlay filesystem; user namespaces need them enabled; cgroup v2 needs 4.15; seccomp needs kernel support. A missing feature silently weakens isolation or stops the daemon.",
		Remediation: "Enable the missing feature (e.g. sysctl user.max_user_namespaces=15000, modprobe overlay) or upgrade the kernel."},
	{ID: HostEngineVersion, Title: "the Docker Engine version is maintained", Severity: rule.SeverityHigh, CIS: []string{"1.2.2"},
		Rationale:   "Unmaintained engine releases get no security fixes (the seed's 1.12.1 ended in 2017; 20.10 ended 2023-12-10).",
		Remediation: "Upgrade to a maintained Docker Engine series (see the table's Updated date and https://docs.docker.com/engine/release-notes/)."},
	{ID: HostOperatingSystem, Title: "the host runs a container-optimized OS", Severity: rule.SeverityInfo, CIS: []string{"1.2.1"},
		Rationale:   "Container-optimized systems (Flatcar, Fedora CoreOS, Bottlerocket, Talos, Photon, ...) are minimal and update atomically (A/B partitions), which shrinks the attack surface.",
		Remediation: "Consider a container-optimized OS for dedicated Docker hosts; otherwise harden the general-purpose OS and keep it minimal."},
	auditRule(AuditDockerd, "1.1.3", "the dockerd binary"),
	auditRule(AuditRunContainerd, "1.1.4", "/run/containerd"),
	auditRule(AuditDataRoot, "1.1.5", "the data root (/var/lib/docker)"),
	auditRule(AuditEtcDocker, "1.1.6", "/etc/docker"),
	auditRule(AuditDockerService, "1.1.7", "docker.service"),
	auditRule(AuditContainerdSock, "1.1.8", "containerd.sock"),
	auditRule(AuditDockerSocketUnit, "1.1.9", "docker.socket"),
	auditRule(AuditEtcDefaultDocker, "1.1.10", "/etc/default/docker"),
	auditRule(AuditDaemonJSON, "1.1.11", "daemon.json"),
	auditRule(AuditContainerdConfig, "1.1.12", "/etc/containerd/config.toml"),
	auditRule(AuditEtcSysconfigDocker, "1.1.13", "/etc/sysconfig/docker"),
	auditRule(AuditContainerd, "1.1.14", "the containerd binary"),
	auditRule(AuditContainerdShim, "1.1.15", "the containerd-shim binary"),
	auditRule(AuditContainerdShimRuncV1, "1.1.16", "the containerd-shim-runc-v1 binary"),
	auditRule(AuditContainerdShimRuncV2, "1.1.17", "the containerd-shim-runc-v2 binary"),
	auditRule(AuditRunc, "1.1.18", "the runc binary"),
}

func lookup(id rule.ID) rule.Rule {
	r, _ := Catalog.Lookup(id)
	return r
}
