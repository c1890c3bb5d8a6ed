package hardening

import (
	"os"
	"strings"
)

// ForDaemon adds to h what the address of the daemon behind cli tells (cli
// may implement DaemonHost() string, as *client.Client does): a daemon
// reached over a unix socket is on this machine, so its host paths can be
// resolved here (Local), and that socket is one of its sockets
// (SocketPaths). daemonName is /info's Name; when it is set and differs
// from this machine's hostname, the socket is taken for a forwarded one
// (ssh -L) and the daemon for remote. Other addresses (tcp, ssh, npipe)
// leave h as it is.
func (h HostFacts) ForDaemon(cli any, daemonName string) HostFacts {
	dh, ok := cli.(interface{ DaemonHost() string })
	if !ok {
		return h
	}
	p, ok := strings.CutPrefix(dh.DaemonHost(), "unix://")
	if !ok || p == "" {
		return h
	}
	if daemonName != "" {
		if me, err := os.Hostname(); err == nil && me != daemonName {
			return h
		}
	}
	h.Local = true
	h.SocketPaths = append(append([]string(nil), h.SocketPaths...), p)
	return h
}
