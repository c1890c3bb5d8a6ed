// Package perms checks, and safely fixes, the owner, group and mode of
// Docker's files: the systemd units, /etc/docker and daemon.json, registry
// certificates, the daemon's TLS files, the Docker and containerd sockets,
// /etc/default/docker, /etc/sysconfig/docker and the data root (CIS Docker
// Benchmark 3.1–3.24).
//
// The expectations are data in Rules and Specs, declared once and used by
// both Check and Fix. Each kind of file (a FileClass) has two rules, one per
// CIS control: "<class>.owner" for ownership (CIS 3.1, 3.3, ... 3.23) and
// "<class>.mode" for permissions (CIS 3.2, 3.4, ... 3.24), so a report never
// marks a permissions control failed because only the owner is wrong. Every
// target gets both findings, each naming the file and what was seen against
// what is wanted:
//
//	rep, err := perms.Check(cfg)              // findings, rule.Report
//	res, err := perms.Fix(cfg, perms.FixOptions{Apply: true})
//
// Guarantees:
//   - Paths come from the real configuration: daemon.json (or the file named
//     by --config-file) and the running dockerd's command line supply the
//     TLS files, sockets (including systemd's docker.socket for -H fd://),
//     the data root and the exec root under which dockerd may run its own
//     containerd. Defaults are used only where the configuration is silent,
//     and every finding says where its path came from.
//   - "644 or stricter" is a bitwise test: a mode passes only when it has no
//     bit outside 0644 (0470 and 0507 fail although they are numerically
//     smaller). Setuid, setgid and sticky bits count as bits.
//   - Owners and groups are names resolved against the checked root's own
//     etc/passwd and etc/group, never the machine running the check.
//   - Every lookup stays inside Config.Root: "..", absolute and relative
//     symlinks are resolved as if Root were "/" (openat2 RESOLVE_IN_ROOT).
//   - A missing file is reported as skip with the reason, never as pass. A
//     symlink where a file, directory or socket is expected is a failure and
//     is never followed.
//   - Fix is a dry run unless FixOptions.Apply is set. It only removes
//     permission bits and only changes an owner or group to root, so it
//     never grants access to anyone new; it never follows or changes a
//     symlink; it never changes a file with more than one hard link (another
//     name of it may be outside Root), reporting it in FixResult.Manual; it
//     re-checks each file's identity (device and inode) before changing it;
//     running it twice changes nothing the second time; and it reports every
//     change it makes or would make, one Change per rule.
//   - Reading daemon.json never blocks: a FIFO, socket or device is refused
//     before it is opened for reading.
//   - The library never prints or logs.
package perms
