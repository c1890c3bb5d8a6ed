// Package daemonconf generates, hardens, validates and installs Docker's
// daemon.json, judging it the way dockerd itself does.
//
// Call sites read as phrases: daemonconf.Validate, daemonconf.Generate,
// daemonconf.Harden, daemonconf.Write, daemonconf.NewClient.
//
// Guarantees:
//   - Validate never panics, on any input (it is fuzzed). Its Result keeps
//     two kinds of output apart: Problems (errors: dockerd refuses to start,
//     or every container fails; warnings: tolerated but wrong) and Findings
//     (CIS Docker Benchmark 2.x security rules, from Rules).
//   - Problems carry a typed Code, a Level, the key and its LINE:COL.
//     Host-dependent problems (missing runtime binary, storage driver, user,
//     plugin, file, file-descriptor limit) are errors only when HostFacts
//     are given, warnings otherwise, and are marked HostDependent.
//   - The schema covers Docker Engine 20.10 through 29: keys, JSON types,
//     allowed values, the versions that know each key, removed keys
//     (disable-legacy-registry, removed in 17.12: dockerd refuses to start)
//     and renamed ones (graph -> data-root). The 20.10 behaviour is checked
//     against a real dockerd 20.10 on a corpus in testdata/corpus; later
//     versions follow the release notes.
//   - Generate and Harden only raise the floor: they never emit
//     disable-legacy-registry or weaken a setting, loosening needs a waiver,
//     and their output passes Validate.
//   - Write refuses what Validate rejects, never writes through a symlink,
//     keeps a backup, and replaces the file atomically (temp file + rename,
//     0644, root:root when run as root).
//   - NewClient refuses a plain tcp:// daemon unless DaemonTLS is waived.
//   - The package never prints or logs.
package daemonconf
