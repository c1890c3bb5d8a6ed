package hardening_test

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
)

// fakeDaemon serves handler on a unix socket and returns a client for it
// with its API version pinned (no negotiation).
func fakeDaemon(t *testing.T, handler http.HandlerFunc) *client.Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := &http.Server{Handler: handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	cli, err := client.New(client.WithHost("unix://"+sock), client.WithAPIVersion("1.41"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

const fakeID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestFastInspectorAnswersAndErrors(t *testing.T) {
	var paths []string
	cli := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1.41/containers/"), "/json")
		switch id {
		case fakeID:
			_, _ = w.Write([]byte(`{"Id":"` + fakeID + `","Name":"/web","State":{"Running":true,"Pid":42},"HostConfig":{"Privileged":true,"CapAdd":["SYS_ADMIN"]},"Config":{"User":"0"}}`))
		case "gone":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"No such container: gone"}`))
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"something broke"}`))
		case "garbage":
			_, _ = w.Write([]byte(`{"Id": [`))
		case "huge":
			_, _ = w.Write([]byte(`{"Id":"` + strings.Repeat("a", hardening.MaxInspectSize) + `"}`))
		case "anonymous":
			_, _ = w.Write([]byte(`{}`))
		}
	})
	fi, err := hardening.NewFastInspector(cli, 2)
	require.NoError(t, err)
	defer fi.Close()
	var seen atomic.Int64
	fi.OnRequest = func(*http.Request) { seen.Add(1) }
	ctx := context.Background()

	c, err := fi.Inspect(ctx, fakeID)
	require.NoError(t, err)
	assert.Equal(t, "/web", c.Name)
	assert.True(t, c.HostConfig.Privileged)
	assert.Equal(t, []string{"SYS_ADMIN"}, c.HostConfig.CapAdd)
	assert.Equal(t, 42, c.State.Pid)
	assert.Equal(t, "GET /v1.41/containers/"+fakeID+"/json", paths[0], "the client's API version, the inspect endpoint")

	_, err = fi.Inspect(ctx, "gone")
	require.Error(t, err)
	assert.True(t, cerrdefs.IsNotFound(err), "a missing container is NotFound, as with ContainerInspect: %v", err)
	assert.Contains(t, err.Error(), "No such container: gone")

	_, err = fi.Inspect(ctx, "broken")
	require.ErrorContains(t, err, "something broke")
	assert.Contains(t, err.Error(), "500")
	assert.False(t, cerrdefs.IsNotFound(err))

	_, err = fi.Inspect(ctx, "garbage")
	require.ErrorContains(t, err, "decoding the response")

	_, err = fi.Inspect(ctx, "huge")
	require.ErrorContains(t, err, "larger than")

	_, err = fi.Inspect(ctx, "anonymous")
	require.ErrorContains(t, err, "names no container")

	_, err = fi.Inspect(ctx, "")
	require.Error(t, err)
	assert.True(t, cerrdefs.IsInvalidArgument(err))

	assert.EqualValues(t, 6, seen.Load(), "OnRequest sees every request sent")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = fi.Inspect(cancelled, fakeID)
	require.ErrorIs(t, err, context.Canceled)
}

// Over TLS the inspector dials through the client's dialer, so the
// client's TLS configuration (here: trust in the test server's CA) applies.
func TestFastInspectorOverTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"Id":"` + fakeID + `","Name":"/tls"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	cli, err := client.New(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithTLSClientConfig(ca, "", ""), client.WithAPIVersion("1.41"))
	require.NoError(t, err)
	defer cli.Close()
	fi, err := hardening.NewFastInspector(cli, 2)
	require.NoError(t, err)
	defer fi.Close()
	c, err := fi.Inspect(context.Background(), fakeID)
	require.NoError(t, err)
	assert.Equal(t, "/tls", c.Name)

	// Without the CA the handshake fails: nothing is read in the clear.
	plain, err := client.New(client.WithHost("tcp://"+srv.Listener.Addr().String()), client.WithTLSClientConfig("", "", ""), client.WithAPIVersion("1.41"))
	require.NoError(t, err)
	defer plain.Close()
	fi2, err := hardening.NewFastInspector(plain, 2)
	require.NoError(t, err)
	defer fi2.Close()
	_, err = fi2.Inspect(context.Background(), fakeID)
	require.ErrorContains(t, err, "certificate")
}

func TestFastInspectorRefusesHostsItCannotDial(t *testing.T) {
	cli, err := client.New(client.WithHost("ssh://user@example.invalid"))
	if err != nil {
		t.Skipf("this client refuses ssh hosts itself: %v", err)
	}
	defer cli.Close()
	_, err = hardening.NewFastInspector(cli, 2)
	require.ErrorContains(t, err, "cannot dial ssh")
}

// BenchmarkInspect compares the client's ContainerInspect with the
// FastInspector on one real dockerd 20.10 inspect response (a container
// started by Run, 5 KB), served by a fake daemon on a unix socket: the
// per-container cost of the audit's hot path on our side of the socket.
func BenchmarkInspect(b *testing.B) {
	body, err := os.ReadFile("testdata/inspect-20.10-hardened.json")
	require.NoError(b, err)
	sock := filepath.Join(b.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(b, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	cli, err := client.New(client.WithHost("unix://"+sock), client.WithAPIVersion("1.41"))
	require.NoError(b, err)
	defer cli.Close()
	ctx := context.Background()
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cli.ContainerInspect(ctx, fakeID, client.ContainerInspectOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		fi, err := hardening.NewFastInspector(cli, 2)
		require.NoError(b, err)
		defer fi.Close()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fi.Inspect(ctx, fakeID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
