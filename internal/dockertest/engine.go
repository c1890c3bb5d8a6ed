package dockertest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// ExecRoots returns the --exec-root of every dockerd running on this host
// ("/var/run/docker" for one that gives none), so tests that look for what
// dockerd wrote there (the OCI bundle it hands runc) find it for the system
// daemon, a long-lived second engine and throwaway daemons alike.
func ExecRoots() []string {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	seen := map[string]bool{}
	var roots []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(b, "\x00")), "\x00")
		if filepath.Base(args[0]) != "dockerd" {
			continue
		}
		root := "/var/run/docker"
		for i, a := range args {
			switch {
			case a == "--exec-root" && i+1 < len(args):
				root = args[i+1]
			case strings.HasPrefix(a, "--exec-root="):
				root = strings.TrimPrefix(a, "--exec-root=")
			}
		}
		if !seen[root] {
			seen[root] = true
			roots = append(roots, root)
		}
	}
	return roots
}
