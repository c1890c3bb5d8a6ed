// Package hostfs reads a Docker host's files from a root directory ("/" for
// the live system, or the prefix of a mounted image or a fake tree) without
// ever resolving a path outside that root, and parses the few host files
// that more than one safedock package needs: /etc/passwd, /etc/group, the
// handful of daemon.json keys and dockerd flags that name files, and the
// running dockerd's command line.
//
// It is shared by perms and host, which must not import each other. It is
// not vocabulary (that is package rule), only plumbing.
//
// Guarantees:
//   - Every path is resolved with openat2(2) RESOLVE_IN_ROOT: "..", absolute
//     symlinks and relative symlinks are all interpreted inside the root, so
//     no lookup can reach a file outside it. Kernels without openat2 (< 5.6)
//     get an error, never a silent fallback.
//   - Lstat never follows the final path component.
//   - Parsers never panic on any input and bound what they read.
package hostfs
