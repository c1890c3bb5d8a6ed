package policy

import (
	"path"
	"slices"
	"strings"
)

// sensitivePaths are the host directories CIS Docker Benchmark 5.6 forbids
// mounting writable into a container.
var sensitivePaths = []string{"/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"}

// usrAliases are the top-level directories a merged-/usr host links into
// /usr (/bin is /usr/bin there).
var usrAliases = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// SensitivePaths returns the host directories that must not be mounted
// writable (CIS 5.6): /, /boot, /dev, /etc, /lib, /proc, /sys, /usr. A
// path below one of them (other than below /) is sensitive too. Each call
// returns a new slice.
func SensitivePaths() []string { return slices.Clone(sensitivePaths) }

// UsrMergeAliases returns the top-level directories that a merged-/usr
// host links into /usr (/bin, /sbin, /lib, /lib32, /lib64, /libx32). Each
// call returns a new slice.
func UsrMergeAliases() []string { return slices.Clone(usrAliases) }

// CleanHostPath returns p as an absolute clean host path with /var/run
// folded into /run, where every current distribution links it.
func CleanHostPath(p string) string {
	p = path.Clean("/" + p)
	if p == "/var/run" || strings.HasPrefix(p, "/var/run/") {
		p = strings.TrimPrefix(p, "/var")
	}
	return p
}

// FoldAliases returns the host path p names as written on a current host:
// cleaned as CleanHostPath does, with the merged-/usr aliases folded
// ("/bin/sh" → "/usr/bin/sh", "/var/run/docker.sock" → "/run/docker.sock").
// Callers that can resolve p on the host itself should do that instead.
func FoldAliases(p string) string {
	p = CleanHostPath(p)
	for _, a := range usrAliases {
		if Within(p, a) {
			return "/usr" + p
		}
	}
	return p
}

// SensitiveDir returns the sensitive directory that the host path p is or
// lies below ("/etc" for "/etc/ssl"), or "" when none. p is cleaned but not
// folded: pass FoldAliases(p) to judge a path as written, or the path the
// host resolves it to.
func SensitiveDir(p string) string {
	p = CleanHostPath(p)
	for _, d := range sensitivePaths {
		if d == "/" {
			if p == "/" {
				return d
			}
			continue
		}
		if Within(p, d) {
			return d
		}
	}
	return ""
}

// Within reports whether the clean absolute path p is dir or lies below it.
func Within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}
