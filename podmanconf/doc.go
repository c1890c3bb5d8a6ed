// Package podmanconf judges a Podman host's engine configuration the way
// daemonconf judges dockerd's daemon.json: containers.conf (with its
// containers.conf.d drop-ins), storage.conf and registries.conf, merged as
// Podman merges them, against the equivalents of the CIS Docker Benchmark's
// daemon controls (no-new-privileges, seccomp, user namespaces, logging,
// registries), and the owners and modes of Podman's socket and files.
//
// It opens no file itself: Gather takes the caller's reader (safedock's
// gather step reads through internal/hostfs, no symlink followed out of
// the audited root), and FileChecks judges metadata the caller stat'ed.
// Every rule is a rule.Check in a file of its own; Checks and FileChecks
// return the catalogs as copies.
package podmanconf
