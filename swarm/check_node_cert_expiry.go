package swarm

import (
	"github.com/safedock/safedock/rule"
)

// checkNodeCertExpiry binds swarm.node-cert-expiry to its judge.
var checkNodeCertExpiry = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmNodeCertExpiry, Title: "Node certificates are rotated at least every 90 days", Severity: rule.SeverityLow, CIS: []string{"7.7"},
		Rationale:   "Node certificates authenticate nodes to each other; a long lifetime lets a stolen certificate work for longer.",
		Remediation: "docker swarm update --cert-expiry 2160h0m0s (or shorter).",
	},
	Judge: judgeNodeCertExpiry,
}

// judgeNodeCertExpiry passes a node certificate lifetime of at most
// MaxNodeCertExpiry (unset is swarm's default, 90 days) and warns on a
// longer one.
func judgeNodeCertExpiry(f *facts) rule.Result {
	exp := f.spec.CAConfig.NodeCertExpiry
	switch {
	case exp == 0:
		return rule.Pass("swarm's default node certificate lifetime (90 days)", "Spec.CAConfig.NodeCertExpiry unset")
	case exp <= MaxNodeCertExpiry:
		return rule.Pass("node certificates expire within 90 days", "Spec.CAConfig.NodeCertExpiry="+exp.String())
	}
	return rule.Warn("node certificates live longer than 90 days", "Spec.CAConfig.NodeCertExpiry="+exp.String())
}
