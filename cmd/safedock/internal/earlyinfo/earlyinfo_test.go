package earlyinfo

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWantedOnlyForALocalAudit(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		env    map[string]string
		socket string // "" when no request is sent
	}{
		{[]string{"safedock", "audit"}, nil, "/var/run/docker.sock"},
		{[]string{"safedock", "audit", "--only", "containers"}, nil, "/var/run/docker.sock"},
		{[]string{"safedock", "audit", "containers"}, map[string]string{"DOCKER_HOST": "unix:///run/x.sock"}, "/run/x.sock"},
		{[]string{"safedock", "audit", "--help"}, nil, ""},
		{[]string{"safedock", "audit", "-h"}, nil, ""},
		{[]string{"safedock", "audit", "help"}, nil, ""},
		{[]string{"safedock", "run", "img"}, nil, ""},
		{[]string{"safedock"}, nil, ""},
		{[]string{"safedock", "audit"}, map[string]string{"DOCKER_HOST": "tcp://10.0.0.1:2376"}, ""},
		{[]string{"safedock", "audit"}, map[string]string{"DOCKER_HOST": "ssh://me@host"}, ""},
		{[]string{"safedock", "audit"}, map[string]string{"DOCKER_HOST": "unix://"}, ""},
		// A pinned API version: the client asks itself, at that version.
		{[]string{"safedock", "audit"}, map[string]string{"DOCKER_API_VERSION": "1.41"}, ""},
	} {
		socket, ok := wanted(tc.args, func(k string) string { return tc.env[k] })
		assert.Equal(t, tc.socket != "", ok, "%v %v", tc.args, tc.env)
		assert.Equal(t, tc.socket, socket, "%v %v", tc.args, tc.env)
	}
}

// Take hands the connection out once, and only for the socket it went to;
// otherwise it closes it.
func TestTakeOnceAndOnlyForItsSocket(t *testing.T) {
	pair := func() (int, int) {
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		require.NoError(t, err)
		t.Cleanup(func() { syscall.Close(fds[1]) })
		return fds[0], fds[1]
	}
	closed := func(fd int) bool {
		_, err := syscall.Write(fd, []byte("x"))
		return err == syscall.EBADF
	}

	a, _ := pair()
	sent.fd, sent.socket = a, "/run/a.sock"
	assert.Nil(t, Take("/run/b.sock"), "another daemon's socket")
	assert.True(t, closed(a), "closed when not handed out")
	assert.Nil(t, Take("/run/a.sock"), "handed out at most once")

	b, _ := pair()
	sent.fd, sent.socket = b, "/run/a.sock"
	f := Take("/run/a.sock")
	require.NotNil(t, f)
	assert.Equal(t, uintptr(b), f.Fd())
	assert.Nil(t, Take("/run/a.sock"))
	require.NoError(t, f.Close())
}
