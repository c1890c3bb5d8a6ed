package host

// This file holds the family of audit rules, one per CIS 1.1.3–1.1.18 path:
// they differ only in the path they watch, so they are one table here
// rather than a file each, and one judge (judgeAudit) decides them all.

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

// auditChecks are the audit rules, in CIS order.
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
}.MustValidate()

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
}

// judgeAudit passes when a watch covers the target's path.
func judgeAudit(s auditSubject) rule.Result {
	t := s.target
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
