// Package authz makes safedock a Docker authorization plugin: dockerd asks
// it before every API request, and it judges container creates, updates,
// execs, services, volumes, builds and plugin installs with the same rule
// catalog (package hardening) that the launcher enforces and the audit
// checks, so a container started by docker run, compose or a CI runner is
// held to the same profile as one started through safedock.
//
// The plugin speaks Docker's legacy plugin protocol over a unix socket
// (POST /Plugin.Activate, /AuthZPlugin.AuthZReq, /AuthZPlugin.AuthZRes). It
// fails closed: a write request it cannot fully judge (an unparseable or
// unforwarded body, an unknown endpoint, a field it does not know that
// carries a value) is denied with a message saying why. Reads are allowed.
//
// Waivers come only from an approved waiver file (see WaiverSource and
// LoadWaivers); io.safedock.waive.* labels in a request are ignored, since
// any client can set labels.
//
// docs/authz.md describes the endpoints, the decisions, installation and the
// break-glass procedure.
package authz
