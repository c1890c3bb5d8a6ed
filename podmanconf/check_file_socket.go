package podmanconf

import (
	"io/fs"

	"github.com/safedock/safedock/rule"
)

// FilePodmanSocket is the rule that Podman's API socket is a socket owned
// by root, reachable by no one but root and its group.
const FilePodmanSocket rule.ID = "file.podman-socket"

var podmanSocket = rule.Check[FileFacts]{
	Rule: rule.Rule{ID: FilePodmanSocket, Title: "Podman's API socket is root:root and at most 0660", Severity: rule.SeverityCritical, CIS: []string{"3.15", "3.16"},
		Rationale:   "Whoever can connect to rootful Podman's socket is root on the host: it has no authorization layer, so the socket's owner and mode are the only access control (the equivalent of docker.sock's).",
		Remediation: "chown root:root and chmod 0660 (or stricter) the socket; with systemd, set SocketUser/SocketGroup/SocketMode in podman.socket."},
	Judge: func(f FileFacts) rule.Result {
		if f.Err != nil {
			return rule.Skip("could not examine the socket: " + f.Err.Error())
		}
		d := ownerDetail(f)
		if f.Mode.Type() != fs.ModeSocket {
			return rule.Fail("the path is not a socket", d+" ("+f.Mode.Type().String()+")")
		}
		if f.UID != 0 || f.GID != 0 {
			return rule.Fail("the socket is not owned by root:root", d)
		}
		if f.Perm&0o7117 != 0 {
			return rule.Fail("the socket's mode is wider than 0660", d)
		}
		return rule.Pass("root:root, at most 0660", d)
	},
}
