package safedock

import (
	"strings"

	"github.com/moby/moby/api/types/system"

	"github.com/safedock/safedock/rule"
)

// DaemonRootless is the rule that the daemon runs as a non-root user:
// rootless mode (CIS Docker Benchmark 2.1, "Run the Docker daemon as a
// non-root user, if possible").
const DaemonRootless rule.ID = "daemon.rootless"

// rootlessRules is the catalog of the rootless rule, judged from /info.
func rootlessRules() rule.Catalog {
	return rule.Catalog{{
		ID: DaemonRootless, Title: "The daemon runs as a non-root user (rootless mode)", Severity: rule.SeverityLow,
		// 2.1 in v1.6.0, v1.7.0 and v1.8.0 alike: 1.8.0's insertion of
		// 2.7 (devicemapper) does not move it.
		CIS:       []string{"2.1"},
		Rationale: "A dockerd that runs as root gives every container escape, and every user of its socket, root on the host; a rootless dockerd runs in a user namespace as an unprivileged user.",
		Remediation: "Run the daemon in rootless mode as an unprivileged user: install uidmap, rootlesskit and slirp4netns, give the user /etc/subuid and /etc/subgid ranges, " +
			"run dockerd-rootless-setuptool.sh install as that user and point clients at unix://$XDG_RUNTIME_DIR/docker.sock. " +
			"Where the workload needs what rootless cannot do (privileged ports, cgroup limits without cgroup v2 delegation), waive this rule with the reason.",
	}}
}

// judgeRootless is the rootless rule's finding for the daemon that
// answered info (nil: it did not answer, so the rule is skipped).
func judgeRootless(info *system.Info, infoErr error, target string) rule.Finding {
	r := rootlessRules()[0]
	switch {
	case info == nil:
		reason := "the daemon did not answer /info"
		if infoErr != nil {
			reason += ": " + infoErr.Error()
		}
		return r.Finding(target, rule.Result{Status: rule.StatusSkip, Reason: reason, Method: "/info"})
	case IsRootless(info):
		res := rule.Pass("the daemon runs in rootless mode", "SecurityOptions include "+rootlessSecurityOption+"; data root "+info.DockerRootDir)
		res.Method = "/info"
		return r.Finding(target, res)
	}
	return r.Finding(target, rule.Result{Status: rule.StatusFail, Reason: "the daemon runs as root (not in rootless mode)",
		Detail: "SecurityOptions " + strings.Join(info.SecurityOptions, ", ") + ": no " + rootlessSecurityOption, Method: "/info"})
}

// remoteInfoMethod is how the rootless rule is judged on a remote daemon.
const remoteInfoMethod = "daemon's /info"

// withRemoteRootless judges the rootless rule of a remote daemon's daemon
// section (rep, every rule skipped as not applicable to a remote daemon)
// from its /info: whether it runs rootless is the daemon's own answer, no
// file of this machine's. Without /info the skip stays.
func withRemoteRootless(rep rule.Report, info *system.Info, target string) rule.Report {
	if info == nil {
		return rep
	}
	out := make([]rule.Finding, 0, len(rep.Findings))
	for _, f := range rep.Findings {
		if f.Rule == DaemonRootless {
			f = judgeRootless(info, nil, target)
			f.Method = remoteInfoMethod
		}
		out = append(out, f)
	}
	return rule.NewReport(out)
}
