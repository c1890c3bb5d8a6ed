package inspect_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/inspect"
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
			_, _ = w.Write([]byte(`{"Id":"` + strings.Repeat("a", inspect.MaxInspectSize) + `"}`))
		case "anonymous":
			_, _ = w.Write([]byte(`{}`))
		}
	})
	fi, err := inspect.NewFastInspector(cli, 2)
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

// A daemon reached over TCP (maybe through a proxy, with TLS) keeps the
// client's own ContainerInspect: the fast path is only for local sockets.
// TestFastInspectorConcurrentAnswersStayApart runs many inspects at once,
// of responses from a few bytes to beyond the size of a pooled read buffer,
// and checks every result is its own container's, whole, after all of them
// returned (a decoded response must not share the reused read buffer).
func TestFastInspectorConcurrentAnswersStayApart(t *testing.T) {
	body := func(i int) string {
		env := strings.Repeat("x", (i%4)*100_000) // 0 to 300 KB: some buffers are too big to pool
		return `{"Id":"c` + strconv.Itoa(i) + `","Name":"/n` + strconv.Itoa(i) + `","Config":{"Env":["PAD=` + env + `"],"Labels":{"k":"v` + strconv.Itoa(i) + `"}}}`
	}
	cli := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1.41/containers/"), "/json")
		i, err := strconv.Atoi(strings.TrimPrefix(id, "c"))
		if err != nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(body(i)))
	})
	fi, err := inspect.NewFastInspector(cli, 8)
	require.NoError(t, err)
	defer fi.Close()
	const n = 64
	got := make([]*container.InspectResponse, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = fi.Inspect(context.Background(), "c"+strconv.Itoa(i)) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], i)
		assert.Equal(t, "c"+strconv.Itoa(i), got[i].ID)
		assert.Equal(t, "/n"+strconv.Itoa(i), got[i].Name)
		assert.Equal(t, "v"+strconv.Itoa(i), got[i].Config.Labels["k"])
		assert.Equal(t, []string{"PAD=" + strings.Repeat("x", (i%4)*100_000)}, got[i].Config.Env)
	}
}

func TestFastInspectorIsOnlyForLocalDaemons(t *testing.T) {
	for _, host := range []string{"tcp://10.0.0.1:2376", "tcp://proxy.example:443/docker", "ssh://user@example.invalid"} {
		cli, err := client.New(client.WithHost(host))
		require.NoError(t, err, host)
		_, err = inspect.NewFastInspector(cli, 2)
		require.ErrorContains(t, err, "only for a local daemon", host)
		require.NoError(t, cli.Close())
	}
}

func TestFastInspectorDefaultPool(t *testing.T) {
	cli := fakeDaemon(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"Id":"` + fakeID + `"}`))
	})
	fi, err := inspect.NewFastInspector(cli, 0) // the default concurrency
	require.NoError(t, err)
	defer fi.Close()
	_, err = fi.Inspect(context.Background(), fakeID)
	require.NoError(t, err)
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
		fi, err := inspect.NewFastInspector(cli, 2)
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

// Info asks the unversioned /info and says at which API version the daemon
// served it; ReadInfo reads the same answer from a connection on which the
// request was already written, and stops when its context ends.
func TestInfoAndReadInfo(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	handler := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		switch r.Header.Get("X-Case") {
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"something broke"}`))
			return
		case "garbage":
			w.Header().Set("Api-Version", "1.41")
			_, _ = w.Write([]byte(`{"ID": [`))
			return
		case "huge":
			w.Header().Set("Api-Version", "1.41")
			_, _ = w.Write([]byte(`{"Name":"` + strings.Repeat("a", inspect.MaxInfoSize) + `"}`))
			return
		}
		w.Header().Set("Api-Version", "1.41")
		_, _ = w.Write([]byte(`{"ID":"daemon-id","Name":"host1","SecurityOptions":["name=seccomp,profile=default"]}`))
	}
	cli := fakeDaemon(t, handler)
	fi, err := inspect.NewFastInspector(cli, 1)
	require.NoError(t, err)
	defer fi.Close()
	ctx := context.Background()

	info, served, err := fi.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1.41", served)
	assert.Equal(t, "daemon-id", info.ID)
	assert.Equal(t, []string{"name=seccomp,profile=default"}, info.SecurityOptions)
	assert.Equal(t, []string{"GET /info"}, paths, "the unversioned path: no negotiation needed first")

	sock := strings.TrimPrefix(cli.DaemonHost(), "unix://")
	early := func(c string) net.Conn {
		conn, err := net.Dial("unix", sock)
		require.NoError(t, err)
		_, err = conn.Write([]byte("GET /info HTTP/1.1\r\nHost: docker\r\nX-Case: " + c + "\r\n\r\n"))
		require.NoError(t, err)
		return conn
	}
	info, served, err = inspect.ReadInfo(ctx, early(""))
	require.NoError(t, err)
	assert.Equal(t, "1.41", served)
	assert.Equal(t, "host1", info.Name)

	_, _, err = inspect.ReadInfo(ctx, early("broken"))
	require.ErrorContains(t, err, "something broke")
	_, _, err = inspect.ReadInfo(ctx, early("garbage"))
	require.ErrorContains(t, err, "decoding the response")
	_, _, err = inspect.ReadInfo(ctx, early("huge"))
	require.ErrorContains(t, err, "larger than")

	// A daemon that never answers: the read ends with the context.
	quiet, peer := net.Pipe()
	defer peer.Close()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, _, err = inspect.ReadInfo(short, quiet)
	require.Error(t, err)
}
