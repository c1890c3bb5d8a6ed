package authz

import "github.com/safedock/safedock/rule"

// Rule IDs the plugin adds to hardening's container rules, for requests
// that hand out host access without creating a container.
const (
	// AuthzJudgeable denies a write request the plugin cannot fully judge.
	// It cannot be waived.
	AuthzJudgeable rule.ID = "authz.judgeable"
	// AuthzPluginInstall denies installing, upgrading or reconfiguring a
	// managed plugin.
	AuthzPluginInstall rule.ID = "authz.plugin-install"
	// AuthzSwarmMembership denies creating or joining a swarm.
	AuthzSwarmMembership rule.ID = "authz.swarm-membership"
	// AuthzBuildKit denies BuildKit builds and sessions.
	AuthzBuildKit rule.ID = "authz.buildkit"
	// AuthzSystemPaths denies containers that unmask /proc and /sys paths.
	AuthzSystemPaths rule.ID = "authz.system-paths"
)

// Rules returns the plugin's own rules (the container rules are
// hardening.Rules). Each call returns a fresh copy.
func Rules() rule.Catalog { return authzRules.Clone() }

// noControl declares that a rule is no CIS control in any benchmark
// version: the benchmark asks for an authorization plugin (CIS 2.12 in
// v1.6.0, daemon.authorization-plugin), not for what the plugin judges.
func noControl() map[rule.Benchmark][]string {
	return map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {}}
}

var authzRules = rule.Catalog{
	{
		ID: AuthzJudgeable, Title: "Every write request is one the plugin can judge", Severity: rule.SeverityHigh, Refs: noControl(),
		Rationale:   "An authorization plugin that lets through what it could not read is no control: a create whose body dockerd did not forward (not application/json, 1 MiB or more), a field the plugin does not know, an old API shape or an unknown endpoint may carry anything.",
		Remediation: "Send the request as a current Docker client does (JSON body under 1 MiB, API 1.24 or later). This rule cannot be waived; in an emergency an administrator runs the plugin in warn mode (docs/authz.md).",
	},
	{
		ID: AuthzPluginInstall, Title: "Managed plugins are installed and configured only with approval", Severity: rule.SeverityCritical, Refs: noControl(),
		Rationale:   "A managed plugin runs as root with the privileges it asks for (host network, host mounts, devices, capabilities), outside every container rule.",
		Remediation: "Install plugins as an administrator with the authorization plugin in warn mode, or waive authz.plugin-install for target plugin:NAME in the waiver file.",
	},
	{
		ID: AuthzSwarmMembership, Title: "The node creates or joins a swarm only with approval", Severity: rule.SeverityHigh, Refs: noControl(),
		Rationale:   "Swarm tasks are created by the daemon itself, not through its API, so the plugin never sees them: a manager elsewhere could run unjudged containers on this node.",
		Remediation: "Waive authz.swarm-membership for target swarm:init or swarm:join in the waiver file once the swarm's managers run the plugin too.",
	},
	{
		ID: AuthzBuildKit, Title: "BuildKit builds are approved explicitly", Severity: rule.SeverityMedium, Refs: noControl(),
		Rationale:   "A BuildKit build runs over a /session or /grpc stream the plugin cannot read: RUN --network=host and other entitlements are invisible to it.",
		Remediation: "Build with the classic builder (DOCKER_BUILDKIT=0), or waive authz.buildkit for target build:* in the waiver file.",
	},
	{
		ID: AuthzSystemPaths, Title: "/proc and /sys paths stay masked", Severity: rule.SeverityHigh, Refs: noControl(),
		Rationale:   "HostConfig.MaskedPaths and ReadonlyPaths (--security-opt systempaths=unconfined) unmask /proc/kcore, /proc/sysrq-trigger, /sys/firmware and others the default profile hides.",
		Remediation: "Remove --security-opt systempaths=unconfined (do not set MaskedPaths or ReadonlyPaths).",
	},
}
