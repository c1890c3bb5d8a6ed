package swarm

import (
	"time"

	"github.com/moby/moby/api/types/network"
	swarmtypes "github.com/moby/moby/api/types/swarm"

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

// OverlayEncryptedOption is the overlay driver option that turns on IPsec
// encryption of the network's traffic between nodes.
const OverlayEncryptedOption = "encrypted"

// facts is what a swarm rule judges: what the engine says about its swarm
// and, for a rule about one overlay network or one service, that network or
// service. Audit gathers them; each rule reads only the part its scope
// names.
type facts struct {
	// info is the Swarm section of the engine's /info (every scope).
	info swarmtypes.Info
	// spec is the swarm's spec, read from a manager (scopeSwarm).
	spec swarmtypes.Spec
	// network is the overlay network judged (scopeNetwork).
	network network.Summary
	// service is the service judged (scopeService).
	service swarmtypes.Service
}

// scope says what one finding of a swarm rule is about, and so when Audit
// judges it.
type scope int

const (
	// scopeEngine rules are judged once, on any engine, under the target
	// "swarm".
	scopeEngine scope = iota + 1
	// scopeSwarm rules are judged once, under the target "swarm", from a
	// manager's view of the cluster; a worker cannot answer them.
	scopeSwarm
	// scopeNetwork rules are judged on every overlay network
	// ("network:NAME").
	scopeNetwork
	// scopeService rules are judged on every service ("service:NAME").
	scopeService
)

// checks is the catalog of swarm rules, in report order; each lives in its
// own check_*.go file with its test.
var checks = rule.Checks[*facts]{
	checkMode,
	checkManagers,
	checkRoutingMesh,
	checkEncryptedOverlay,
	checkSecretsInEnv,
	checkAutolock,
	checkNodeCertExpiry,
}.MustValidate()

// scopes gives every check its scope.
var scopes = map[rule.ID]scope{
	SwarmMode:             scopeEngine,
	SwarmManagers:         scopeSwarm,
	SwarmRoutingMesh:      scopeService,
	SwarmEncryptedOverlay: scopeNetwork,
	SwarmSecretsInEnv:     scopeService,
	SwarmAutolock:         scopeSwarm,
	SwarmNodeCertExpiry:   scopeSwarm,
}

// Rules returns the catalog of swarm rules that Audit checks (on
// top of the container rules, which it applies to every service). Each call
// returns a fresh copy.
func Rules() rule.Catalog {
	return checks.Catalog()
}
