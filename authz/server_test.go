package authz_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/authz"
	"github.com/safedock/safedock/rule"
)

func newServer(t *testing.T, log *bytes.Buffer, opts ...authz.Option) *authz.Server {
	t.Helper()
	p, err := authz.NewPolicy(opts...)
	require.NoError(t, err)
	var dl *authz.DecisionLog
	if log != nil {
		dl = authz.NewDecisionLog(log)
	}
	s, err := authz.NewServer(p, dl, nil)
	require.NoError(t, err)
	return s
}

func post(t *testing.T, h http.Handler, path string, body []byte) (*httptest.ResponseRecorder, authz.Response) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", path, bytes.NewReader(body)))
	var res authz.Response
	if path != authz.PathActivate {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res), rec.Body.String())
	}
	return rec, res
}

func TestProtocol(t *testing.T) {
	var log bytes.Buffer
	s := newServer(t, &log)
	rec, _ := post(t, s, authz.PathActivate, nil)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, authz.ContentType, rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"Implements":["authz"]}`, rec.Body.String())

	body, _ := json.Marshal(map[string]any{"Image": "x", "HostConfig": map[string]any{"Privileged": true}})
	req, _ := json.Marshal(authz.Request{User: "alice", RequestMethod: "POST", RequestURI: "/v1.41/containers/create?name=web",
		RequestBody: body, RequestHeaders: map[string]string{"Content-Type": "application/json"}})
	rec, res := post(t, s, authz.PathAuthZReq, req)
	assert.Equal(t, authz.ContentType, rec.Header().Get("Content-Type"))
	assert.False(t, res.Allow)
	assert.Contains(t, res.Msg, "[container.privileged]")

	req, _ = json.Marshal(authz.Request{RequestMethod: "GET", RequestURI: "/v1.41/info"})
	_, res = post(t, s, authz.PathAuthZReq, req)
	assert.True(t, res.Allow)

	// Responses pass: the decision was taken on the request.
	_, res = post(t, s, authz.PathAuthZRes, []byte(`{"RequestMethod":"GET","RequestURI":"/info","ResponseBody":"e30="}`))
	assert.True(t, res.Allow)

	// Undecodable and oversized plugin requests are denied, not allowed.
	_, res = post(t, s, authz.PathAuthZReq, []byte("{"))
	assert.False(t, res.Allow)
	assert.Contains(t, res.Msg, "authz.judgeable")
	_, res = post(t, s, authz.PathAuthZReq, bytes.Repeat([]byte(" "), authz.MaxPluginRequest+1))
	assert.False(t, res.Allow)
	assert.Contains(t, res.Msg, "could not be read")

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	require.Len(t, lines, 3, "one line per AuthZReq decision that was read")
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	assert.Equal(t, "deny", first["decision"])
	assert.Equal(t, "alice", first["user"])
	assert.Equal(t, "web", first["container"])
	assert.Equal(t, "/v1.41/containers/create", first["path"])
	assert.Equal(t, "POST", first["method"])
	assert.Equal(t, "enforce", first["mode"])
	assert.Contains(t, first["rules"], string(rule.ContainerPrivileged))
}

func TestDecisionLogEscapes(t *testing.T) {
	var log bytes.Buffer
	s := newServer(t, &log)
	req, _ := json.Marshal(authz.Request{User: "CN=\"x\"\n\x01\u2028", RequestMethod: "GET", RequestURI: "/v1.41/containers/json"})
	post(t, s, authz.PathAuthZReq, req)
	req = []byte(`{"User":"\xff\xfe","RequestMethod":"GET","RequestURI":"/info"}`)
	post(t, s, authz.PathAuthZReq, req)
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
	}
	assert.Contains(t, log.String(), `"user":"CN=\"x\"\n\u0001\u2028"`)
}

func TestPeerSubjectLogged(t *testing.T) {
	// A self-signed client certificate, as dockerd forwards it (DER).
	der := selfSigned(t, "ci-runner")
	var log bytes.Buffer
	s := newServer(t, &log)
	req, _ := json.Marshal(authz.Request{RequestMethod: "GET", RequestURI: "/info", RequestPeerCertificates: [][]byte{der}})
	post(t, s, authz.PathAuthZReq, req)
	assert.Contains(t, log.String(), `"tls_subject":"CN=ci-runner"`)
}

func TestListen(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sub", "authz.sock")
	l, err := authz.Listen(sock)
	require.NoError(t, err)
	fi, err := os.Stat(sock)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	_, err = authz.Listen(sock)
	assert.ErrorIs(t, err, authz.ErrSocketInUse, "a live listener is not replaced")

	// A stale socket file (nobody listening) is replaced.
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	require.NoError(t, l.Close())
	_, err = os.Lstat(sock)
	require.NoError(t, err, "stale socket left behind")
	l2, err := authz.Listen(sock)
	require.NoError(t, err, "stale socket replaced")
	l2.Close()

	// A regular file or a symlink at the path is refused and left alone.
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("keep"), 0o644))
	_, err = authz.Listen(file)
	assert.ErrorContains(t, err, "not a socket")
	b, _ := os.ReadFile(file)
	assert.Equal(t, "keep", string(b))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(file, link))
	_, err = authz.Listen(link)
	assert.ErrorContains(t, err, "not a socket")
	fi, err = os.Lstat(link)
	require.NoError(t, err)
	assert.True(t, fi.Mode()&os.ModeSymlink != 0, "symlink untouched")
}

func TestServeStopsWithContext(t *testing.T) {
	s := newServer(t, nil)
	sock := filepath.Join(t.TempDir(), "a.sock")
	l, err := authz.Listen(sock)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	res, err := hc.Post("http://plugin"+authz.PathActivate, authz.ContentType, nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(25 * time.Second):
		t.Fatal("Serve did not return within 25 s of cancel")
	}
	_, err = os.Lstat(sock)
	assert.True(t, errors.Is(err, os.ErrNotExist), "socket removed on shutdown")
}

func TestWarnModeServerAllowsAndLogsWarn(t *testing.T) {
	var log bytes.Buffer
	s := newServer(t, &log, authz.WithMode(authz.ModeWarn))
	body, _ := json.Marshal(map[string]any{"Image": "x", "HostConfig": map[string]any{"Privileged": true}})
	req, _ := json.Marshal(authz.Request{RequestMethod: "POST", RequestURI: "/v1.41/containers/create?name=web",
		RequestBody: body, RequestHeaders: map[string]string{"Content-Type": "application/json"}})
	_, res := post(t, s, authz.PathAuthZReq, req)
	assert.True(t, res.Allow, "warn mode allows")
	var line map[string]any
	require.NoError(t, json.Unmarshal(log.Bytes(), &line))
	assert.Equal(t, "warn", line["decision"])
	assert.Equal(t, "warn", line["mode"])
	assert.Contains(t, line["rules"], "container.privileged")
	assert.Contains(t, line["message"], "would deny (warn mode)")
}
