// Package runspec applies safedock's container hardening to, and checks it
// on, an OCI runtime-spec configuration (config.json, [specs.Spec]) — for
// people who run containers with runc, crun, containerd or CRI-O directly.
//
// The call sites read as phrases:
//
//	err := runspec.Apply(spec, runspec.WithUser("1000:1000"), runspec.WithTmpfs("/tmp", 64<<20))
//	findings := runspec.Check(spec)
//	report, err := runspec.CheckFile("/path/to/bundle")
//
// # Rules
//
// A rule that means the same for a Docker container and an OCI spec reports
// under the same ID as package hardening (the IDs and metadata come from
// [rule.ContainerRules]). Each rule is declared once, in [Rules] order, with
// the function that applies it and the function that checks it:
//
//   - container.non-root-user: process.user.uid is not 0 (uid 0 passes only
//     inside a user namespace that maps it to a non-zero host uid).
//   - container.capabilities: all five capability sets empty except the
//     capabilities named with [WithAddedCapabilities] (recorded in the
//     annotation [AnnotationCapabilities]); never a capability that amounts
//     to root (CAP_SYS_ADMIN, CAP_NET_ADMIN, ...) unless waived.
//   - container.sensitive-mounts: no writable bind mount whose source is /,
//     /boot, /dev, /etc, /lib, /proc, /sys, /usr or below them (judged by the
//     source path, not the destination).
//   - container.docker-socket: no mount of docker.sock or a directory that
//     holds it (/, /run, /var/run, /var). This rule cannot be waived.
//   - container.host-network, container.host-pid, container.host-ipc,
//     container.host-uts: the namespace is listed (a missing namespace means
//     the host's), and does not join a host namespace (/proc/1/ns/...). A
//     namespace joined by another path is flagged (warn): the spec cannot
//     say whose it is.
//   - container.host-userns: a user namespace with mappings; a spec without
//     one is a warning (the same as a Docker daemon without userns-remap),
//     joining the host's is a failure.
//   - container.host-devices: no linux.devices, and a device cgroup that
//     denies all and allows only the standard character devices.
//   - container.mount-propagation: no shared/rshared mount or root
//     propagation.
//   - container.read-only-rootfs, container.no-new-privileges.
//   - container.seccomp: a seccomp filter that denies by default and does
//     not allow unconditionally the system calls Docker's default profile
//     reserves to capabilities the process does not have. Apply installs
//     Docker's default profile (github.com/moby/profiles/seccomp).
//   - container.apparmor, container.selinux: never unconfined / spc_t; an
//     empty profile is a warning on a host that has the LSM and skipped on
//     one that has not (detected, not assumed).
//   - container.memory-limit, container.cpu-shares, container.pids-limit.
//   - container.tmpfs-flags: writable tmpfs mounts are nosuid, nodev and
//     noexec (/dev is exempt: it holds device nodes and is nodev-less by
//     design in every runtime).
//   - container.no-sshd: the process is not an SSH server.
//   - spec.masked-paths (OCI only): Docker's masked and read-only /proc and
//     /sys paths, /sys and cgroupfs mounted read-only. Check judges the
//     security property, not byte-equality: a path masked or made read-only
//     by a parent entry counts, and paths added to Docker's defaults after
//     Docker 20.10 (/proc/interrupts, /sys/devices/virtual/powercap) only
//     warn when missing.
//   - spec.mount-namespace (OCI only): the container has its own mount
//     namespace.
//   - spec.rlimits (OCI only): RLIMIT_NOFILE is bounded and core dumps are
//     off; a spec that sets no rlimits inherits the runtime's and warns.
//
// Not in runspec's table, because an OCI spec does not carry them: privileged
// (OCI has no such flag; its parts are capabilities, seccomp, host-devices and
// spec.masked-paths), published ports (privileged-ports, port-bind-interface),
// restart-policy, healthcheck, image-pinned, log-rotation, network-isolation
// and cgroup-parent (linux.cgroupsPath is chosen by the engine that writes the
// spec, not by the workload's policy).
//
// # Guarantees
//
//   - Apply only tightens. Anything that would loosen a rule — a root user, a
//     dangerous capability, a host namespace, a writable sensitive mount, a
//     host device, shared propagation, an unconfined LSM profile — is refused
//     with a *[rule.Violation] unless the rule is waived with [Waive]. Apply
//     never rewrites a bind mount (it refuses it); it only adds flags that
//     tighten (ro on sysfs, noexec,nosuid,nodev on writable tmpfs).
//   - Apply is atomic: on error the spec is unchanged.
//   - What Apply builds, Check passes: Apply checks its own result and fails
//     if any rule that is not waived would fail.
//   - Waivers are recorded in the spec's annotations (key
//     [AnnotationWaiverPrefix] followed by the rule ID) and Check reports
//     those rules as waived, never as passed.
//   - Check never panics and never fails on odd input: a missing section is a
//     finding, not an error. [ReadConfig] and [CheckFile] reject malformed
//     input with a clear error: unknown fields (named), trailing data, files
//     larger than [MaxConfigSize], a config.json that is a symlink or not a
//     regular file, a document that is not a runtime spec.
//   - The package never prints or logs.
package runspec
