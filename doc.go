// Package safedock makes the safe way to run Docker the easy way.
//
// The module is a set of sibling packages that share one vocabulary:
//
//   - rule: rule IDs, severities, statuses, findings and reports.
//   - hardening: a HostConfig builder with secure defaults, a launcher that
//     runs hardened containers, and an auditor of existing containers.
//   - runspec: the same hardening for OCI runtime-spec config.json.
//   - daemonconf: generation and validation of daemon.json.
//   - perms: ownership and mode checks of Docker's files, and a safe fixer.
//
// Each rule is declared once, with its CIS Docker Benchmark v1.6.0
// references, and serves three uses: builders enforce it, auditors check it,
// and the generated rule table documents it.
package safedock

//go:generate go run ./cmd/gendocs -o docs/rules.md
