package swarm

import (
	"time"

	"github.com/safedock/safedock/rule"
)

// Swarm rule IDs (CIS Docker Benchmark v1.6.0 section 7, and 5.1).
const (
	SwarmMode             rule.ID = "swarm.mode"
	SwarmManagers         rule.ID = "swarm.managers"
	SwarmRoutingMesh      rule.ID = "swarm.routing-mesh"
	SwarmEncryptedOverlay rule.ID = "swarm.encrypted-overlay"
	SwarmSecretsInEnv     rule.ID = "swarm.secrets-in-env"
	SwarmAutolock         rule.ID = "swarm.autolock"
	SwarmNodeCertExpiry   rule.ID = "swarm.node-cert-expiry"
)

// MaxNodeCertExpiry is the longest node certificate lifetime the
// node-cert-expiry rule accepts: swarm's default, 90 days.
const MaxNodeCertExpiry = 90 * 24 * time.Hour

// Rules returns the catalog of swarm rules that Audit checks (on
// top of the container rules, which it applies to every service). Each call
// returns a fresh copy.
func Rules() rule.Catalog {
	return rule.Catalog{
		{
			ID: SwarmMode, Title: "Swarm mode is enabled only where needed", Severity: rule.SeverityInfo, CIS: []string{"5.1"},
			Rationale:   "A swarm manager listens for cluster traffic (2377/tcp, 7946, 4789/udp) and can schedule containers on every node: an engine that does not need it should not run it.",
			Remediation: "Leave the swarm (docker swarm leave) on engines that do not take part in one; otherwise confirm it is needed.",
		},
		{
			ID: SwarmManagers, Title: "The swarm has the minimum number of managers, and an odd one", Severity: rule.SeverityMedium, CIS: []string{"7.1"},
			Rationale:   "Managers hold the cluster's state and keys; each extra one is another place to attack. Raft needs a majority: an even count adds no fault tolerance, and more than 7 slows every write.",
			Remediation: "Run 1, 3, 5 or 7 managers (docker node demote the extra ones).",
		},
		{
			ID: SwarmRoutingMesh, Title: "Service ports are not published through the routing mesh", Severity: rule.SeverityMedium, CIS: []string{"7.2"},
			Rationale:   "A port published in ingress mode listens on every address of every node in the swarm, whether or not a task runs there.",
			Remediation: "Publish in host mode (--publish mode=host,target=80,published=8080) and restrict it with the host firewall, or put a load balancer in front of an internal network.",
		},
		{
			ID: SwarmEncryptedOverlay, Title: "Overlay networks are encrypted", Severity: rule.SeverityMedium, CIS: []string{"7.3"},
			Rationale:   "Traffic between tasks on different nodes crosses the hosts' network in VXLAN without encryption unless the overlay is created with the encrypted option (IPsec).",
			Remediation: "Create overlay networks with --opt encrypted (docker network create -d overlay --opt encrypted NAME); recreate the ingress network with --opt encrypted too.",
		},
		{
			ID: SwarmSecretsInEnv, Title: "Secrets reach services as swarm secrets, not environment variables", Severity: rule.SeverityHigh, CIS: []string{"7.4"},
			Rationale:   "Environment variables are stored in the service spec in clear, shown by docker service inspect and docker inspect, and inherited by every child process; swarm secrets are encrypted in the raft log and mounted in memory.",
			Remediation: "Create a secret (docker secret create NAME -) and give it to the service (--secret NAME, swarm.WithAddedSecret); remove the variable.",
		},
		{
			ID: SwarmAutolock, Title: "Swarm managers run in auto-lock mode", Severity: rule.SeverityMedium, CIS: []string{"7.5"},
			Rationale:   "Without auto-lock the keys that decrypt the raft log (and every secret) sit on the manager's disk; with it, a restarted manager needs the unlock key.",
			Remediation: "docker swarm update --autolock=true, and keep the unlock key somewhere safe (rotate it with docker swarm unlock-key --rotate).",
		},
		{
			ID: SwarmNodeCertExpiry, Title: "Node certificates are rotated at least every 90 days", Severity: rule.SeverityLow, CIS: []string{"7.7"},
			Rationale:   "Node certificates authenticate nodes to each other; a long lifetime lets a stolen certificate work for longer.",
			Remediation: "docker swarm update --cert-expiry 2160h0m0s (or shorter).",
		},
	}
}
