// Package host checks the Docker host itself: the data root on its own
// filesystem (CIS 1.1.1), the members of the group that owns the Docker
// socket (1.1.2), auditd rules for Docker's files and binaries (1.1.3–1.1.18)
// and the generated rules file that adds them, the kernel version and the
// kernel features the daemon's configuration needs, the engine version
// against a supported-versions table shipped with the library (1.2.2, see
// EngineVersions and its Updated date), and the host OS, saying whether it
// is a container-optimized one.
//
//	rep, err := host.Check(host.Inputs{Root: "/", Info: &info.Info})
//	rules := host.AuditRules(host.Inputs{Root: "/"})
//
// Guarantees:
//   - Facts come from inputs: the daemon's Info (as the engine API returns
//     it), the files under Inputs.Root (read without ever leaving it), and
//     optional pre-read data (mount table, active audit rules). Check runs
//     no program; ActiveAuditRules runs `auditctl -l` only when called.
//   - The data root is the daemon's own (with userns-remap the API reports
//     <root>/<uid>.<gid> and the mount of <root> is judged); a bind mount of
//     the root filesystem onto it is not "its own partition".
//   - A check that lacks its input is skip with the reason, never pass.
//   - The library never prints or logs.
package host
