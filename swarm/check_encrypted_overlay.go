package swarm

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkEncryptedOverlay binds swarm.encrypted-overlay to its judge.
var checkEncryptedOverlay = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmEncryptedOverlay, Title: "Overlay networks are encrypted", Severity: rule.SeverityMedium, CIS: []string{"7.3"},
		Rationale:   "Traffic between tasks on different nodes crosses the hosts' network in VXLAN without encryption unless the overlay is created with the encrypted option (IPsec).",
		Remediation: "Create overlay networks with --opt encrypted (docker network create -d overlay --opt encrypted NAME); recreate the ingress network with --opt encrypted too.",
	},
	Judge: judgeEncryptedOverlay,
}

// judgeEncryptedOverlay passes an overlay network whose encrypted option is
// set to anything but "false" (the driver takes "" as on).
func judgeEncryptedOverlay(f *facts) rule.Result {
	n := f.network
	if v, ok := n.Options[OverlayEncryptedOption]; ok && v != "false" {
		return rule.Pass("overlay network is encrypted", fmt.Sprintf("Options[%s]=%q", OverlayEncryptedOption, v))
	}
	what := "overlay network is not encrypted"
	if n.Ingress {
		what = "the ingress (routing mesh) network is not encrypted"
	}
	return rule.Fail(what, fmt.Sprintf("Options=%v", n.Options))
}
