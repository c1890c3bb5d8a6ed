package policy

import (
	"fmt"
	"slices"
	"strings"
)

// AllCapabilities is the pseudo-capability "ALL" that Docker, the OCI
// tools and Kubernetes accept for every capability at once.
const AllCapabilities = "ALL"

// capabilities are the capabilities of Linux 6.x, in the kernel's order
// (capability.h, 0 to 40), without the CAP_ prefix.
var capabilities = []string{
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
}

// DangerousCapability is a capability that amounts to root on the host, or
// to leaving the container, and why.
type DangerousCapability struct {
	// Name is the canonical name, without CAP_ ("SYS_ADMIN").
	Name string
	// Reason says in one line what the capability gives a container.
	Reason string
}

// dangerous is the one list of capabilities the container.capabilities
// rule refuses without a waiver, in the kernel's order.
var dangerous = []DangerousCapability{
	{"DAC_READ_SEARCH", "open_by_handle_at reads any host file by handle (the shocker escape)"},
	{"LINUX_IMMUTABLE", "clears the immutable and append-only flags that protect logs and binaries"},
	{"NET_ADMIN", "reconfigures interfaces, routes and firewall rules of the network it shares"},
	{"SYS_MODULE", "loads kernel modules: arbitrary code in the host kernel"},
	{"SYS_RAWIO", "raw I/O ports and /dev/mem access: reads and writes host memory and disks"},
	{"SYS_PTRACE", "traces and injects code into any process it can see, host ones with a shared PID namespace"},
	{"SYS_ADMIN", "mount, namespaces, BPF and most other admin operations: the usual container escape"},
	{"SYS_BOOT", "reboots the host and loads a new kernel with kexec_load"},
	{"SYS_RESOURCE", "overrides resource limits, quotas and reserved disk space meant to bound the container"},
	{"SYS_TIME", "sets the host's clock (the clock is not namespaced), breaking TLS, logs and Kerberos"},
	{"SYS_TTY_CONFIG", "vhangup and keyboard remapping of the host's consoles"},
	{"AUDIT_CONTROL", "changes or disables the host's kernel audit rules (audit is not namespaced)"},
	{"MAC_OVERRIDE", "overrides the mandatory access control (AppArmor, SELinux, Smack) that confines it"},
	{"MAC_ADMIN", "changes the MAC policy (loads AppArmor or Smack rules) for the whole host"},
	{"SYSLOG", "reads the kernel log (kernel addresses that defeat KASLR) and clears it"},
	{"PERFMON", "perf events observe the host kernel and other processes"},
	{"BPF", "loads BPF programs and maps: kernel memory reads, and more with SYS_ADMIN or PERFMON"},
	{"CHECKPOINT_RESTORE", "chooses PIDs, reads /proc/*/map_files: the checkpoint/restore primitives that bypass isolation checks"},
}

// Capabilities returns every Linux capability (Linux 6.x, 41 of them) by
// canonical name, in the kernel's order. Each call returns a new slice.
func Capabilities() []string { return slices.Clone(capabilities) }

// DangerousCapabilities returns the capabilities that amount to root on the
// host, each with its reason, in the kernel's order. Adding one (or ALL)
// fails container.capabilities unless it is waived. Each call returns a new
// slice.
func DangerousCapabilities() []DangerousCapability { return slices.Clone(dangerous) }

// NormalizeCapability returns a capability name the way the rules compare
// them: trimmed, upper case, without the CAP_ prefix ("cap_net_raw" →
// "NET_RAW", "all" → "ALL"). It does not check that the capability exists.
func NormalizeCapability(c string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(c)), "CAP_")
}

// ParseCapability returns the canonical name of c ("CAP_X", "x" or "X"),
// or "ALL" for ALL; an error names input that is no Linux capability.
func ParseCapability(c string) (string, error) {
	n := NormalizeCapability(c)
	if n == AllCapabilities || IsCapability(n) {
		return n, nil
	}
	return "", fmt.Errorf("capability %q: not a Linux capability", c)
}

// IsCapability reports whether c (in any form NormalizeCapability accepts)
// is a Linux capability; ALL is not one.
func IsCapability(c string) bool {
	return slices.Contains(capabilities, NormalizeCapability(c))
}

// IsDangerousCapability reports whether c (in any form) is ALL or one of
// DangerousCapabilities.
func IsDangerousCapability(c string) bool {
	n := NormalizeCapability(c)
	return n == AllCapabilities || slices.ContainsFunc(dangerous, func(d DangerousCapability) bool { return d.Name == n })
}
