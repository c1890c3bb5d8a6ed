package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Server answers dockerd's plugin protocol requests with a Policy's
// decisions and records each one in a DecisionLog. It is an http.Handler,
// safe for concurrent use.
type Server struct {
	policy *Policy
	log    *DecisionLog
	// LogError, when set, is called when the decision log cannot be written
	// (the decision stands: the request is not held up by a full disk).
	logError func(error)
}

// NewServer returns a server for p; log may be nil (no decision log), and
// logError (may be nil) hears about decision log write failures.
func NewServer(p *Policy, log *DecisionLog, logError func(error)) (*Server, error) {
	if p == nil {
		return nil, errors.New("new authz server: nil policy")
	}
	return &Server{policy: p, log: log, logError: logError}, nil
}

var (
	activateBody = []byte(`{"Implements":["authz"]}` + "\n")
	allowBody    = []byte(`{"Allow":true}` + "\n")
	bufPool      = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// ServeHTTP implements the plugin protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case PathActivate:
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
		reply(w, activateBody)
	case PathAuthZReq:
		s.authzReq(w, r)
	case PathAuthZRes:
		// The decision was taken on the request; responses pass unchanged.
		// The body (up to the whole API response) is discarded, not kept.
		_, _ = io.Copy(io.Discard, r.Body)
		reply(w, allowBody)
	default:
		http.NotFound(w, r)
	}
}

func reply(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", ContentType)
	_, _ = w.Write(body)
}

func (s *Server) authzReq(w http.ResponseWriter, r *http.Request) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= MaxPluginRequest {
			bufPool.Put(buf)
		}
	}()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxPluginRequest))
	if err != nil {
		deny(w, fmt.Sprintf("safedock denied the request [%s]: the plugin request could not be read (limit %d bytes): %v", AuthzJudgeable, MaxPluginRequest, err))
		return
	}
	req, call, err := DecodeRequest(buf.Bytes())
	if err != nil {
		d := &Decision{Mode: s.policy.mode, Endpoint: "undecodable request"}
		s.policy.unjudgeable(d, err.Error())
		d.Violates, d.Allow = true, s.policy.mode == ModeWarn
		if req == nil {
			req = &Request{}
		}
		s.record(req, nil, d)
		s.answer(w, d)
		return
	}
	d := s.policy.Judge(r.Context(), req, call)
	s.record(req, call, d)
	s.answer(w, d)
}

func (s *Server) record(req *Request, call *Call, d *Decision) {
	if err := s.log.Record(req, call, d); err != nil && s.logError != nil {
		s.logError(fmt.Errorf("writing decision log: %w", err))
	}
}

func (s *Server) answer(w http.ResponseWriter, d *Decision) {
	if d.Allow {
		reply(w, allowBody)
		return
	}
	deny(w, d.Message())
}

func deny(w http.ResponseWriter, msg string) {
	b, _ := json.Marshal(Response{Allow: false, Msg: msg})
	reply(w, append(b, '\n'))
}

// Serve answers requests on l until ctx is done, then shuts down, letting
// requests in flight finish for up to five seconds.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving authorization plugin: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down authorization plugin: %w", err)
	}
	return nil
}

// ErrSocketInUse is returned by Listen when a live listener answers on the
// socket: another plugin instance is running.
var ErrSocketInUse = errors.New("socket in use by a live listener")

// Listen creates the plugin's unix socket (mode 0600, parent directories
// 0755). An existing socket file nobody listens on (left by a crash) is
// replaced; a live one is ErrSocketInUse; anything that is not a socket
// (a file, a symlink) is refused and left alone.
func Listen(socket string) (net.Listener, error) {
	if socket == "" {
		return nil, errors.New("listen: no socket path")
	}
	fi, err := os.Lstat(socket)
	switch {
	case err == nil:
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("listen on %s: it exists and is not a socket (%s): refusing to replace it", socket, fi.Mode().Type())
		}
		conn, derr := net.DialTimeout("unix", socket, 2*time.Second)
		if derr == nil {
			conn.Close()
			return nil, fmt.Errorf("listen on %s: %w (is another safedock authz serve running?)", socket, ErrSocketInUse)
		}
		if !errors.Is(derr, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("listen on %s: cannot tell whether the existing socket is in use: %w", socket, derr)
		}
		if err := os.Remove(socket); err != nil {
			return nil, fmt.Errorf("listen on %s: removing stale socket: %w", socket, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("listen on %s: %w", socket, err)
	}
	if err := os.MkdirAll(filepath.Dir(socket), 0o755); err != nil {
		return nil, fmt.Errorf("listen on %s: creating its directory: %w", socket, err)
	}
	l, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", socket, err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("listen on %s: restricting socket mode: %w", socket, err)
	}
	return l, nil
}
