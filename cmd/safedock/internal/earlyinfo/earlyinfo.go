// Package earlyinfo sends the local Docker daemon's /info request while the
// safedock program is still starting, for "safedock audit" only.
//
// Every section of the whole-host audit waits for /info, and it is the
// slowest request a daemon answers (dockerd runs runc and docker-init to
// fill it: about 5 ms on an idle 2-CPU machine). Go initialises every
// package before main runs, which takes safedock about 1.5 ms; this package
// imports only os and syscall, so Go initialises it among the first, and its
// init writes the request then. The answer is read later, by the audit,
// through Take.
//
// It is deliberately narrow. The request is sent only when the command is
// "safedock audit" (not its help), DOCKER_API_VERSION is unset and the
// daemon is a unix socket (DOCKER_HOST unset or unix://); the socket is
// connected without blocking (a daemon whose backlog is full is simply not
// asked early) and nothing is read in init. The audit uses the answer only
// if it came from the socket its client talks to and at the API version its
// client negotiates; otherwise it asks again (safedock.Options.EarlyInfo).
package earlyinfo

import (
	"os"
	"sync"
	"syscall"
)

// request is the whole HTTP request: the unversioned path, which the
// daemon serves at its own API version and says which in Api-Version.
const request = "GET /info HTTP/1.1\r\nHost: docker\r\nUser-Agent: safedock\r\n\r\n"

// defaultSocket is where the Docker client looks without DOCKER_HOST.
const defaultSocket = "/var/run/docker.sock"

// sent is the request init sent, if any (fd < 0: none). Take hands it out
// once.
var sent = struct {
	mu     sync.Mutex
	fd     int
	socket string
}{fd: -1}

func init() {
	socket, ok := wanted(os.Args, os.Getenv)
	if !ok {
		return
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	// A unix socket connects at once or not at all (EAGAIN: the listener's
	// backlog is full); a fresh socket's send buffer takes the request whole.
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: socket}); err != nil {
		syscall.Close(fd)
		return
	}
	if n, err := syscall.Write(fd, []byte(request)); err != nil || n != len(request) {
		syscall.Close(fd)
		return
	}
	sent.fd, sent.socket = fd, socket
}

// wanted says whether a program started with args and env is an audit that
// will ask the local daemon's /info, and on which socket.
func wanted(args []string, getenv func(string) string) (socket string, ok bool) {
	if len(args) < 2 || args[1] != "audit" {
		return "", false
	}
	for _, a := range args[2:] {
		switch a {
		case "-h", "-help", "--help", "help":
			return "", false
		}
	}
	if getenv("DOCKER_API_VERSION") != "" {
		return "", false
	}
	host := getenv("DOCKER_HOST")
	if host == "" {
		return defaultSocket, true
	}
	const scheme = "unix://"
	if len(host) <= len(scheme) || host[:len(scheme)] != scheme {
		return "", false
	}
	return host[len(scheme):], true
}

// Take returns the connection on which init sent GET /info, for the caller
// to read the answer from, if init sent one to socket (the path the
// caller's client dials). It hands the connection out once; later calls,
// and calls for another socket, return nil, and the connection is closed.
// The caller closes the file it gets.
func Take(socket string) *os.File {
	sent.mu.Lock()
	defer sent.mu.Unlock()
	fd, s := sent.fd, sent.socket
	sent.fd = -1
	if fd < 0 {
		return nil
	}
	if s != socket {
		syscall.Close(fd)
		return nil
	}
	return os.NewFile(uintptr(fd), "early /info on "+s)
}
