package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkDockerSocket binds container.docker-socket to its judge. The builder
// mounts nothing by default.
var checkDockerSocket = rule.Bind(containerRules, rule.ContainerDockerSocket, judgeDockerSocket)

// judgeDockerSocket judges container.docker-socket: no mount is, or holds,
// an engine API socket, by identity on a local host and as written
// otherwise (judgeSockets, socket.go).
func judgeDockerSocket(s *Subject) rule.Result {
	v := openHostView(s.Host)
	defer v.close()
	res := judgeSockets(s, v)
	res.Method = v.method()
	return res
}
