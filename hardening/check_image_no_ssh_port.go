package hardening

import (
	"fmt"
	"slices"

	"github.com/safedock/safedock/rule"
)

// checkImageNoSSHPort binds image.no-ssh-port to its judge.
var checkImageNoSSHPort = rule.Check[inspectedImage]{
	Rule: rule.Rule{ID: ImageNoSSHPort, Title: "Images do not expose SSH (port 22)", Severity: rule.SeverityMedium, CIS: []string{"5.7"},
		Rationale:   "EXPOSE 22 usually means an sshd is baked into the image; containers are reached with docker exec.",
		Remediation: "Remove the SSH server and EXPOSE 22 from the image."},
	Judge: judgeImageNoSSHPort,
}

// judgeImageNoSSHPort fails an image that exposes 22/tcp; the detail lists
// every exposed port, sorted.
func judgeImageNoSSHPort(in inspectedImage) rule.Result {
	ports := slices.Sorted(slices.Values(in.facts.ExposedPorts))
	if slices.Contains(ports, "22/tcp") {
		return rule.Fail("exposes port 22 (ssh)", fmt.Sprintf("Config.ExposedPorts=%v", ports))
	}
	return rule.Pass("does not expose port 22", fmt.Sprintf("Config.ExposedPorts=%v", ports))
}
