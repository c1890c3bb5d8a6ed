package host

// This file holds the family of audit rules, one per CIS 1.1.3–1.1.18 path
// and one per Podman equivalent: they differ only in the path they watch,
// so they are one table here rather than a file each, and one judge
// (judgeAudit) decides them all.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

const auditRemediation = "Add the watch to a file in /etc/audit/rules.d/ (`safedock audit-rules > /etc/audit/rules.d/docker.rules`) and load it with `augenrules --load` (or `auditctl -R`)."

func auditRule(id rule.ID, cis, what string) rule.Rule {
	return rule.Rule{
		ID: id, Title: "auditd watches " + what, Severity: rule.SeverityMedium, CIS: []string{cis},
		Rationale:   "dockerd runs as root; an audit trail of changes to " + what + " is how a compromise or a careless change is found afterwards.",
		Remediation: auditRemediation,
	}
}

// noControl is the references of a rule no CIS Docker Benchmark control
// covers: none in any benchmark.
func noControl() map[rule.Benchmark][]string {
	return map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {}}
}

func podmanAuditRule(id rule.ID, what, docker string) rule.Rule {
	return rule.Rule{
		ID: id, Title: "auditd watches " + what, Severity: rule.SeverityMedium, Refs: noControl(),
		Rationale: "Rootful Podman runs its containers as root; an audit trail of changes to " + what +
			" is how a compromise or a careless change is found afterwards. It is Podman's equivalent of " + docker + ", which the CIS Docker Benchmark asks to audit for dockerd; CIS has no control for Podman's.",
		Remediation: auditRemediation,
	}
}

// auditChecks are the audit rules, in CIS order, then Podman's.
var auditChecks = rule.Checks[auditSubject]{
	auditCheck(AuditDockerd, "1.1.3", "the dockerd binary"),
	auditCheck(AuditRunContainerd, "1.1.4", "/run/containerd"),
	auditCheck(AuditDataRoot, "1.1.5", "the data root (/var/lib/docker)"),
	auditCheck(AuditEtcDocker, "1.1.6", "/etc/docker"),
	auditCheck(AuditDockerService, "1.1.7", "docker.service"),
	auditCheck(AuditContainerdSock, "1.1.8", "containerd.sock"),
	auditCheck(AuditDockerSocketUnit, "1.1.9", "docker.socket"),
	auditCheck(AuditEtcDefaultDocker, "1.1.10", "/etc/default/docker"),
	auditCheck(AuditDaemonJSON, "1.1.11", "daemon.json"),
	auditCheck(AuditContainerdConfig, "1.1.12", "/etc/containerd/config.toml"),
	auditCheck(AuditEtcSysconfigDocker, "1.1.13", "/etc/sysconfig/docker"),
	auditCheck(AuditContainerd, "1.1.14", "the containerd binary"),
	auditCheck(AuditContainerdShim, "1.1.15", "the containerd-shim binary"),
	auditCheck(AuditContainerdShimRuncV1, "1.1.16", "the containerd-shim-runc-v1 binary"),
	auditCheck(AuditContainerdShimRuncV2, "1.1.17", "the containerd-shim-runc-v2 binary"),
	auditCheck(AuditRunc, "1.1.18", "the runc binary"),
	podmanAuditCheck(AuditPodman, "the podman binary", "the dockerd binary (CIS 1.1.3)"),
	podmanAuditCheck(AuditEtcContainers, "/etc/containers", "/etc/docker (CIS 1.1.6)"),
	podmanAuditCheck(AuditVarLibContainers, "Podman's storage (/var/lib/containers)", "the data root (CIS 1.1.5)"),
	podmanAuditCheck(AuditContainersConf, "containers.conf", "daemon.json (CIS 1.1.11)"),
	podmanAuditCheck(AuditPodmanSock, "Podman's API socket", "containerd.sock (CIS 1.1.8)"),
	podmanAuditCheck(AuditPodmanService, "podman.service", "docker.service (CIS 1.1.7)"),
	podmanAuditCheck(AuditPodmanSocketUnit, "podman.socket", "docker.socket (CIS 1.1.9)"),
}.MustValidate()

// notApplicableToPodman says, for each of dockerd's audit targets, why it
// is not applicable on a Podman host where it is absent.
var notApplicableToPodman = map[rule.ID]string{
	AuditDockerd:              "Podman has no dockerd; its binary is judged by " + string(AuditPodman),
	AuditRunContainerd:        "Podman runs no containerd: each container runs under its own conmon",
	AuditDataRoot:             "dockerd's data root; Podman's storage is judged by " + string(AuditVarLibContainers),
	AuditEtcDocker:            "dockerd's configuration directory; Podman's is judged by " + string(AuditEtcContainers),
	AuditDockerService:        "dockerd's unit; Podman's is judged by " + string(AuditPodmanService),
	AuditContainerdSock:       "Podman runs no containerd; its API socket is judged by " + string(AuditPodmanSock),
	AuditDockerSocketUnit:     "dockerd's socket unit; Podman's is judged by " + string(AuditPodmanSocketUnit),
	AuditEtcDefaultDocker:     "dockerd's environment file; Podman reads none",
	AuditDaemonJSON:           "dockerd's configuration file; Podman's containers.conf is judged by " + string(AuditContainersConf),
	AuditContainerdConfig:     "Podman runs no containerd",
	AuditEtcSysconfigDocker:   "dockerd's environment file; Podman reads none",
	AuditContainerd:           "Podman runs no containerd",
	AuditContainerdShim:       "Podman runs no containerd shim: conmon monitors each container",
	AuditContainerdShimRuncV1: "Podman runs no containerd shim: conmon monitors each container",
	AuditContainerdShimRuncV2: "Podman runs no containerd shim: conmon monitors each container",
	AuditRunc:                 "runc is not installed; Podman runs another OCI runtime (crun)",
}

// notApplicableToPodmanPrefix starts the reason of a dockerd audit rule
// skipped on a Podman host.
const notApplicableToPodmanPrefix = "not applicable to Podman: "

func podmanAuditCheck(id rule.ID, what, docker string) rule.Check[auditSubject] {
	return rule.Check[auditSubject]{Rule: podmanAuditRule(id, what, docker), Judge: judgeAudit}
}

func auditCheck(id rule.ID, cis, what string) rule.Check[auditSubject] {
	return rule.Check[auditSubject]{Rule: auditRule(id, cis, what), Judge: judgeAudit}
}

// auditSubject is what an audit rule judges: one path it asks to watch and
// the audit rules found on the host.
type auditSubject struct {
	target  AuditTarget
	watches []Watch
	// src says where the rules came from; err is why none were found.
	src string
	err error
	// podman is true on a Podman host.
	podman bool
}

// judgeAudit passes when a watch covers the target's path.
func judgeAudit(s auditSubject) rule.Result {
	t := s.target
	if why, ok := notApplicableToPodman[t.Rule]; ok && s.podman && t.Path == "" {
		return rule.Skip(notApplicableToPodmanPrefix + why + " (looked for " + strings.Join(t.Candidates, ", ") + ")")
	}
	if t.Path == "" {
		return rule.Skip("not present on this host (looked for " + strings.Join(t.Candidates, ", ") + ")")
	}
	if s.err != nil {
		return rule.Fail("no audit rule watches "+t.Path, s.err.Error())
	}
	idx := slices.IndexFunc(s.watches, func(w Watch) bool { return w.covers(t.Path) })
	res := rule.Fail("no audit rule watches "+t.Path, "rules from "+s.src+"; path from "+t.Source)
	if idx >= 0 {
		w := s.watches[idx]
		res = rule.Pass("audited by a watch on "+w.Path, fmt.Sprintf("rules from %s; perms %q key %q; path from %s", s.src, w.Perms, w.Key, t.Source))
	}
	res.Method = "audit rules"
	return res
}

// name is how the finding of an audit target names it.
func (t AuditTarget) name() string {
	if t.Path == "" {
		return "audit:" + strings.TrimPrefix(string(t.Rule), "audit.")
	}
	return "audit:" + t.Path
}
