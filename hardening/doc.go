// Package hardening launches Docker containers with secure defaults and
// audits the containers already on a daemon, with one set of rules for both.
//
// The builder (Build, Options) produces moby's own container.Config and
// container.HostConfig, so the result plugs into any moby-based client
// (including testcontainers-go through HostConfigModifier). Its defaults:
// every capability dropped, read-only root with a noexec,nosuid,nodev tmpfs
// at /tmp, no-new-privileges, the daemon's default seccomp profile, AppArmor
// and SELinux options where the host has them, restart on-failure:5,
// memory/CPU-shares/PIDs limits, json-file logs with rotation, no host
// namespaces, no network unless one is named.
//
// Guarantees:
//   - The floor only rises. Options may change anything, but Build checks
//     every rule on the result and refuses a spec that fails one, unless
//     Waive(ruleID, reason) names that rule. Errors wrap a *rule.Violation
//     per broken rule, each saying what to change.
//   - A waiver is recorded on the container (label io.safedock.waive.<rule>)
//     and the audit reports that rule as waived, never as passed.
//   - Run resolves the image reference to its ID once and launches that ID;
//     it never pulls. It refuses root unless a user is set, the image's USER
//     is non-root, or the rule is waived. It attaches the container to a
//     user-defined network with inter-container traffic disabled (or none).
//   - If Run fails after creating anything, it removes what it created
//     (container, network), even when the context was cancelled.
//   - Audit reads typed API data only (one list, one inspect per container,
//     one process listing per running container, bounded concurrency); a
//     rule that cannot be decided is reported as skip with the reason.
//     The process lister and inspector are interfaces (ProcessLister,
//     Inspector): the whole-host audit gives it faster ones for a local
//     daemon, a /proc lister and a fast inspector (internal/inspect).
//   - Nothing in this package prints or logs.
//
// Rules() is the catalog; rule IDs and CIS references are shared with
// package runspec through package rule. ImageRules() and AuditImages judge
// the images on a daemon.
//
// The same profile carries over to Docker Swarm in package swarm, which
// builds on this one (LaunchSpec, Evaluate); this package knows nothing of
// swarm. The Kubernetes export lives in its own module,
// github.com/safedock/safedock/kube, so this module never pulls Kubernetes.
package hardening
