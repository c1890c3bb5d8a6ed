package policy

import "slices"

// Secure defaults every builder applies, and the floors its options keep.
// Callers change the defaults with options; the rules judge the result.
const (
	// DefaultMemory is the memory limit a container gets (512 MiB).
	DefaultMemory int64 = 512 << 20
	// MinMemory is the smallest memory limit accepted (6 MiB, dockerd's
	// minimum; runtimes below it fail to start most processes).
	MinMemory int64 = 6 << 20
	// DefaultCPUShares is the relative CPU weight a container gets.
	DefaultCPUShares int64 = 512
	// MinCPUShares and MaxCPUShares bound the CPU weight (the kernel's
	// cgroup v1 range).
	MinCPUShares int64 = 2
	MaxCPUShares int64 = 262144
	// UnsetCPUShares is the daemon's default weight: it does not count as set.
	UnsetCPUShares int64 = 1024
	// DefaultPidsLimit is the process limit a container gets.
	DefaultPidsLimit int64 = 256
	// DefaultNoFile is the hard RLIMIT_NOFILE of an OCI spec (the soft
	// limit is DefaultNoFileSoft).
	DefaultNoFile     uint64 = 4096
	DefaultNoFileSoft uint64 = 1024
	// DefaultTmpfs is the Docker --tmpfs option string of the default
	// writable /tmp (and of a tmpfs given without options).
	DefaultTmpfs = "rw,noexec,nosuid,nodev,size=64m,mode=1777"
	// DefaultTmpfsSize is the size of DefaultTmpfs, in bytes.
	DefaultTmpfsSize int64 = 64 << 20
)

// tmpfsFlags are the mount flags every writable tmpfs must carry (CIS 5.x:
// writable tmpfs flags).
var tmpfsFlags = []string{"nosuid", "nodev", "noexec"}

// TmpfsFlags returns the mount flags a writable tmpfs must carry: nosuid,
// nodev, noexec. Each call returns a new slice.
func TmpfsFlags() []string { return slices.Clone(tmpfsFlags) }

// The default non-root user: nobody, which works in images without
// /etc/passwd.
const (
	DefaultUID uint32 = 65534
	DefaultGID uint32 = 65534
	// DefaultUser is DefaultUID:DefaultGID as a user option takes it.
	DefaultUser = "65534:65534"
)
