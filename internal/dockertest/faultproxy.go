package dockertest

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// FaultProxy is a unix-socket HTTP proxy in front of a daemon's socket that
// answers the requests Fault selects with an error of its own and forwards
// every other request unchanged. It lets a test make chosen Engine API calls
// fail on a real daemon.
type FaultProxy struct {
	// Host is the proxy's address for DOCKER_HOST: unix:///.../p.sock.
	Host string
	// Faulted counts the requests that got the injected error.
	Faulted atomic.Int64
}

// StartFaultProxy serves a proxy to the daemon at host (unix://PATH) until
// the test ends. fault picks the requests to fail (the path keeps its /vX.Y
// prefix); they get status 500 and a daemon-style {"message": ...} body.
func StartFaultProxy(t testing.TB, host string, fault func(*http.Request) bool) *FaultProxy {
	t.Helper()
	return StartProxy(t, host, ProxyHooks{Fault: fault})
}

// ProxyHooks are what a proxy started by StartProxy does besides
// forwarding.
type ProxyHooks struct {
	// Fault sees every request first (it may record it); the requests it
	// selects get status 500 and a daemon-style body instead of the
	// daemon's answer. Nil forwards every request.
	Fault func(*http.Request) bool
	// ModifyResponse, when set, may change each answer of the daemon
	// before the client gets it (httputil.ReverseProxy.ModifyResponse).
	ModifyResponse func(*http.Response) error
}

// StartProxy serves a proxy to the daemon at host (unix://PATH) until the
// test ends, with hooks; StartFaultProxy is StartProxy with a Fault.
func StartProxy(t testing.TB, host string, hooks ProxyHooks) *FaultProxy {
	t.Helper()
	fault := hooks.Fault
	if fault == nil {
		fault = func(*http.Request) bool { return false }
	}
	sock, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		t.Fatalf("fault proxy: %s is not a unix socket", host)
	}
	dir, err := os.MkdirTemp("", "sdfp")
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "p.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	p := &FaultProxy{Host: "unix://" + path}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: "http", Host: "docker"}) },
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}},
		ModifyResponse: hooks.ModifyResponse,
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fault(r) {
			p.Faulted.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"injected fault: ` + r.Method + ` ` + r.URL.Path + `"}`))
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return p
}

// IsContainerInspect reports whether r is GET /containers/{id}/json.
func IsContainerInspect(r *http.Request) bool {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) > 0 && strings.HasPrefix(parts[0], "v") {
		parts = parts[1:]
	}
	return r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "containers" && parts[2] == "json"
}
