// Package inspect is plumbing for the whole-host audit's hot path: it
// fetches what the audit judges about running containers faster than the
// Engine API client does, without changing what the audit sees.
//
//   - FastInspector fetches container inspects from a local daemon over its
//     own pooled connections and decodes each response in one pass into the
//     same container.InspectResponse the client returns.
//   - ProcLister lists running containers' processes from this host's /proc
//     in one pass instead of one ContainerTop (a ps run by dockerd) per
//     container, accepting a PID only when /proc proves it is the
//     container's, and handing every other container to its fallback.
//
// Both satisfy the interfaces hardening.Audit takes (hardening.Inspector,
// hardening.ProcessLister); the module root and cmd/safedock create them.
// The package imports nothing of safedock: the small interfaces it needs
// (Client, ProcessLister) are declared here.
package inspect
