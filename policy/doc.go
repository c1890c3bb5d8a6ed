// Package policy holds the facts every safedock rule shares: the Linux
// capabilities and which of them are dangerous, the sensitive host paths
// and their aliases, the engine API sockets, the default limits and the
// default non-root user.
//
// hardening (Docker), runspec (OCI config.json), kube (Pod export) and
// authz judge the same container rules; they take these facts from here
// instead of keeping copies, so a capability or a path gets one verdict
// everywhere (policy's agreement test walks each fact through the
// builders and checkers and demands it).
//
// Guarantees:
//   - Nothing here is mutable from outside: lists are returned as fresh
//     copies by functions, scalar facts are constants.
//   - Capability names are canonical: upper case, without the CAP_ prefix
//     ("NET_BIND_SERVICE"); NormalizeCapability and ParseCapability accept
//     "CAP_NET_BIND_SERVICE", "net_bind_service" and "ALL".
//   - The package imports nothing of safedock and does no I/O: paths are
//     judged as written; resolving them on a host is the caller's job.
package policy
