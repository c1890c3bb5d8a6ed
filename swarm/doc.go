// Package swarm carries the hardened container profile to Docker Swarm
// services, and audits a swarm (CIS Docker Benchmark section 7, and 5.1).
//
//   - ServiceSpec turns a hardening.Spec into a moby swarm.ServiceSpec that
//     carries the same rules, for the manager's Engine API version, and
//     lists as gaps (Gap) the rules that version cannot express in a
//     service, each with the daemon-wide setting that covers it; it never
//     drops a rule silently. Settings a service cannot carry at all
//     (privileged, host namespaces, devices) are errors
//     (hardening.ErrInvalidSpec), and environment variables that look like
//     secrets are a *rule.Violation unless waived (Waive): hand secrets over
//     with WithAddedSecret instead.
//   - Deploy resolves the image to its ID once (it never pulls), builds the
//     profile with hardening.LaunchSpec, creates the service and the
//     encrypted overlay it names, and waits for its task to run. On failure
//     it removes what it created, by ID, and nothing else.
//   - Audit judges the swarm the engine manages against Rules and every
//     service against the container rules (hardening.Evaluate on
//     SubjectFromService), reading only; it changes nothing.
//
// A rule keeps one ID and one judgement whether it is checked on a
// container, a service about to be created, or a service found on a swarm.
// Nothing in this package prints or logs. It builds on package hardening
// (Options, Spec, Evaluate); hardening does not import it.
package swarm
