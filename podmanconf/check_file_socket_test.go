package podmanconf

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestPodmanSocket(t *testing.T) {
	sock := FileFacts{Path: "/run/podman/podman.sock", Socket: true, Mode: fs.ModeSocket | 0o660, Perm: 0o660}
	assert.Equal(t, rule.StatusPass, podmanSocket.Judge(sock).Status)
	wide := sock
	wide.Perm = 0o666
	assert.Equal(t, rule.StatusFail, podmanSocket.Judge(wide).Status)
	other := sock
	other.GID = 998
	assert.Equal(t, rule.StatusFail, podmanSocket.Judge(other).Status)
	notSock := sock
	notSock.Mode = 0o660
	assert.Equal(t, rule.StatusFail, podmanSocket.Judge(notSock).Status)
}
