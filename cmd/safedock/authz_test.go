package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/authz"
)

func TestAuthzInstallCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI(t, "authz", "install", "--dir", dir, "--binary", "/usr/local/bin/safedock", "--waivers", "/etc/safedock/waivers.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "authorization-plugins")
	b, err := os.ReadFile(filepath.Join(dir, "etc/docker/plugins/safedock.spec"))
	require.NoError(t, err)
	assert.Equal(t, "unix:///run/safedock/authz.sock\n", string(b))
	unit, err := os.ReadFile(filepath.Join(dir, "etc/systemd/system/safedock-authz.service"))
	require.NoError(t, err)
	assert.Contains(t, string(unit), "--waivers /etc/safedock/waivers.yaml")
}

func TestAuthzServeStartupErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "authz", "serve", "--no-facts", "--socket", filepath.Join(dir, "a.sock"), "--waivers", filepath.Join(dir, "missing.yaml"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "reading waiver file")

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("waivers:\n  - rule: container.privileged\n"), 0o600))
	code, _, stderr = runCLI(t, "authz", "serve", "--no-facts", "--socket", filepath.Join(dir, "a.sock"), "--waivers", bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "bad.yaml:2: entry 1: field \"target\" is missing", "the audit's waiver parser: line and field")

	code, _, _ = runCLI(t, "authz", "serve", "--mode", "lenient")
	assert.Equal(t, exitUsage, code)

	sock := filepath.Join(dir, "live.sock")
	l, err := authz.Listen(sock)
	require.NoError(t, err)
	defer l.Close()
	code, _, stderr = runCLI(t, "authz", "serve", "--no-facts", "--socket", sock)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "in use by a live listener")

	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	code, _, stderr = runCLI(t, "authz", "serve", "--no-facts", "--socket", file)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "not a socket")
}

func TestAuthzServeAnswersAndLogs(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "p.sock")
	logFile := filepath.Join(dir, "decisions.log")
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: &bytes.Buffer{}, stderr: &errb, getenv: func(string) string { return "" }},
			[]string{"authz", "serve", "--no-facts", "--socket", sock, "--log", logFile})
	}()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	var res *http.Response
	var err error
	for i := 0; i < 100; i++ {
		res, err = hc.Post("http://plugin"+authz.PathActivate, authz.ContentType, nil)
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, err, "plugin never answered: %s", errb.String())
	res.Body.Close()
	req, _ := json.Marshal(authz.Request{RequestMethod: "POST", RequestURI: "/v1.41/containers/create?name=x"})
	res, err = hc.Post("http://plugin"+authz.PathAuthZReq, authz.ContentType, bytes.NewReader(req))
	require.NoError(t, err)
	var ans authz.Response
	require.NoError(t, json.NewDecoder(res.Body).Decode(&ans))
	res.Body.Close()
	assert.False(t, ans.Allow, "create without a body is denied")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, errb.String())
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop within 25 s of cancel")
	}
	b, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(b), "\n"))
	assert.Contains(t, string(b), `"decision":"deny"`)
	fi, err := os.Stat(logFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAuthzServeReloadsWaiversOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "p.sock")
	wf := filepath.Join(dir, "w.yaml")
	require.NoError(t, os.WriteFile(wf, []byte("waivers: []\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: &bytes.Buffer{}, stderr: errb, getenv: func(string) string { return "" }},
			[]string{"authz", "serve", "--no-facts", "--socket", sock, "--waivers", wf, "--log", filepath.Join(dir, "log")})
	}()
	defer func() {
		cancel()
		<-done
	}()
	require.Eventually(t, func() bool { return strings.Contains(errb.String(), "serving on") }, 10*time.Second, 20*time.Millisecond, errb.String())
	require.NoError(t, os.WriteFile(wf, []byte("waivers:\n  - {rule: container.privileged, target: 'container:x', reason: r, expires: 2099-01-01, approved-by: a}\n"), 0o600))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(errb.String(), "waivers reloaded") }, 10*time.Second, 20*time.Millisecond, errb.String())
	require.NoError(t, os.WriteFile(wf, []byte("waivers: [{rule: nope}]\n"), 0o600))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(errb.String(), "previous ones stay in force") }, 10*time.Second, 20*time.Millisecond, errb.String())
}

// One approved waiver file serves safedock audit --waivers and safedock
// authz serve --waivers: each accepts the other's rule IDs, and both refuse
// an unknown one.
func TestOneWaiverFileForAuditAndPlugin(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waivers.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`waivers:
  - rule: daemon.icc
    target: 'file:*daemon.json*'
    reason: legacy links
    expires: 2099-01-01
    approved-by: platform
  - rule: authz.plugin-install
    target: 'plugin:vieux/*'
    reason: sshfs volumes
    expires: 2099-01-01
    approved-by: ops
`), 0o600))
	wf, err := readWaiverFile(file)
	require.NoError(t, err, "the audit accepts the plugin's rules")
	assert.Len(t, wf.Entries, 2)
	w, err := authz.NewReloadableWaivers(file, waiverCatalog())
	require.NoError(t, err, "the plugin accepts the audit's rules")
	_, ok := w.Waive("authz.plugin-install", "plugin:vieux/sshfs")
	assert.True(t, ok)

	require.NoError(t, os.WriteFile(file, []byte("waivers:\n  - {rule: daemon.no-such, target: x, reason: r, expires: 2099-01-01, approved-by: a}\n"), 0o600))
	_, err = readWaiverFile(file)
	assert.Error(t, err)
	_, err = authz.NewReloadableWaivers(file, waiverCatalog())
	assert.Error(t, err)
}

// daemon-config generate --authorization-plugin safedock wires the plugin
// into daemon.json, and the file validates with CIS 2.12 passing.
func TestGenerateWiresTheAuthorizationPlugin(t *testing.T) {
	code, out, stderr := runCLI(t, "daemon-config", "generate", "--authorization-plugin", "safedock")
	require.Equal(t, exitOK, code, stderr)
	var cfg map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &cfg), out)
	assert.Equal(t, []any{"safedock"}, cfg["authorization-plugins"])
	file := filepath.Join(t.TempDir(), "daemon.json")
	require.NoError(t, os.WriteFile(file, []byte(out), 0o600))
	_, vout, _ := runCLI(t, "daemon-config", "validate", file, "--format", "json")
	assert.Contains(t, vout, `"daemon.authorization-plugin"`)
	assert.Regexp(t, `"rule":"daemon.authorization-plugin"[^}]*"status":"pass"`, strings.ReplaceAll(vout, " ", ""))
}
