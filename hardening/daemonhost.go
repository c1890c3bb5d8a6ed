package hardening

import (
	"os"
	"strings"

	"github.com/moby/moby/api/types/system"
)

// ForDaemon adds to h what the address of the daemon behind cli tells (cli
// may implement DaemonHost() string, as *client.Client does): a daemon
// reached over a unix socket is on this machine, so its host paths can be
// resolved here (Local), and that socket is one of its sockets
// (SocketPaths), and its data root (DataRoot, from info) holds its volumes.
// When info names a host other than this machine's hostname, the socket is
// taken for a forwarded one (ssh -L) and the daemon for remote. Other
// addresses (tcp, ssh, npipe) leave h as it is.
func (h HostFacts) ForDaemon(cli any, info system.Info) HostFacts {
	dh, ok := cli.(interface{ DaemonHost() string })
	if !ok {
		return h
	}
	p, ok := strings.CutPrefix(dh.DaemonHost(), "unix://")
	if !ok || p == "" {
		return h
	}
	if info.Name != "" {
		if me, err := os.Hostname(); err == nil && me != info.Name {
			return h
		}
	}
	h.Local = true
	if h.DataRoot == "" {
		h.DataRoot = info.DockerRootDir
	}
	h.SocketPaths = append(append([]string(nil), h.SocketPaths...), p)
	return h
}
