// Package rule is safedock's shared vocabulary: rule identities and
// metadata, severities, statuses, findings and reports.
//
// It holds types only. The packages that enforce and check rules
// (hardening, runspec, daemonconf, perms, host) each own a Catalog of the
// rules they implement, with the functions that apply and check them; this
// package never imports them.
//
// Guarantees:
//   - A Finding always names its rule, target and status; a check that could
//     not run is StatusSkip with a reason, never StatusPass.
//   - A waived rule is reported as StatusWaived with the waiver's reason.
//   - Reports are sorted deterministically (target, rule, status, detail).
//   - The JSON shape {"tool","generated","host","benchmark","fail_on",
//     "findings":[{"rule","cis","status","severity","target","reason",
//     "detail","remediation"}],"summary":{...}} is stable (the metadata
//     fields are omitted when unset).
//   - CIS numbers are references, per benchmark version (Benchmark): every
//     rule of every catalog has one in CIS Docker Benchmark 1.6.0, 1.7.0 and
//     1.8.0, or an explicit none (Catalog.CheckReferences). A finding cites
//     DefaultBenchmark (1.8.0) until its report is renumbered with
//     Report.ForBenchmark.
package rule
