package runspec

import "github.com/safedock/safedock/rule"

// checkMountNamespace binds spec.mount-namespace to its judge.
var checkMountNamespace = rule.Check[subject]{
	Rule: rule.Rule{
		ID: SpecMountNamespace, Title: "The container has its own mount namespace", Severity: rule.SeverityCritical,
		Rationale:   "Without a mount namespace the container's mounts (and its pivot_root) happen on the host.",
		Remediation: `Add {"type":"mount"} to linux.namespaces.`,
	},
	Judge: judgeNamespace("mount"),
}

// applyMountNamespace adds a mount namespace and refuses joining the host's.
var applyMountNamespace = applyNamespace("mount", SpecMountNamespace)
