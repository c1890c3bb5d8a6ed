package host

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkKernelVersion binds host.kernel-version to its judge.
var checkKernelVersion = rule.Check[*env]{
	Rule: rule.Rule{ID: HostKernelVersion, Title: "the kernel is 3.10 or newer", Severity: rule.SeverityHigh,
		Rationale:   "Docker requires Linux 3.10 at least; older kernels lack the namespaces and cgroups it depends on.",
		Remediation: "Upgrade the kernel (the distribution's supported kernel is newer than 3.10)."},
	Judge: judgeKernelVersion,
}

// judgeKernelVersion judges host.kernel-version.
func judgeKernelVersion(e *env) rule.Result {
	rel, src := e.kernelRelease()
	if rel == "" {
		return rule.Skip("kernel version unknown: no daemon info and not this machine's root")
	}
	maj, min, err := ParseKernelVersion(rel)
	if err != nil {
		return rule.Skip(err.Error())
	}
	detail := rel + " (from " + src + ")"
	if !atLeast(maj, min, 3, 10) {
		return rule.Fail(fmt.Sprintf("kernel %d.%d is older than 3.10", maj, min), detail)
	}
	return rule.Pass(fmt.Sprintf("kernel %d.%d", maj, min), detail)
}
