package safedock_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/internal/inspect"
)

// infoProxy is a proxy in front of a real daemon that records every
// request ("GET /v1.41/info") and can state another API version than the
// daemon's on the unversioned /info answer, as a daemon newer than the
// client would.
type infoProxy struct {
	host string

	mu       sync.Mutex
	requests []string
	served   string // when set, the Api-Version of answers to GET /info
}

func startInfoProxy(t *testing.T, daemonHost string) *infoProxy {
	t.Helper()
	if !strings.HasPrefix(daemonHost, "unix://") {
		t.Skipf("the daemon is not on a unix socket: %s", daemonHost)
	}
	p := &infoProxy{}
	p.host = dockertest.StartProxy(t, daemonHost, dockertest.ProxyHooks{
		Fault: func(r *http.Request) bool {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.requests = append(p.requests, r.Method+" "+r.URL.Path)
			return false
		},
		ModifyResponse: func(resp *http.Response) error {
			p.mu.Lock()
			defer p.mu.Unlock()
			if resp.Request.URL.Path == "/info" && p.served != "" {
				resp.Header.Set("Api-Version", p.served)
			}
			return nil
		},
	}).Host
	return p
}

// infoRequests returns the recorded requests for /info, versioned or not,
// and clears the record.
func (p *infoProxy) infoRequests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.requests {
		if strings.HasSuffix(r, "/info") {
			out = append(out, r)
		}
	}
	p.requests = nil
	return out
}

// The audit asks /info before its client has negotiated an API version (on
// the unversioned path, beside the ping), or takes an answer its caller
// asked for before the audit began (Options.EarlyInfo, what the CLI does
// while it starts). Such an answer counts only when the daemon served it at
// the version the client negotiates: a daemon (here, a proxy) that states
// another version, or states none, is asked again on the versioned path, as
// is one whose early answer failed.
func TestEarlyInfoCountsOnlyAtTheNegotiatedVersion(t *testing.T) {
	daemon := dockertest.Client(t)
	ctx := context.Background()
	want, err := daemon.Info(ctx, client.InfoOptions{})
	require.NoError(t, err)
	p := startInfoProxy(t, daemon.DaemonHost())

	audit := func(t *testing.T, early func(context.Context, string) (*system.Info, string, error)) (safedock.Report, string) {
		t.Helper()
		cli, err := client.New(client.WithHost(p.host))
		require.NoError(t, err)
		defer cli.Close()
		fi, err := inspect.NewFastInspector(cli, 0)
		require.NoError(t, err)
		defer fi.Close()
		local := false
		rep, err := safedock.Audit(ctx, safedock.Options{Client: cli, Inspector: fi, Remote: &local,
			Only: []safedock.Section{safedock.SectionContainers}, EarlyInfo: early})
		require.NoError(t, err)
		return rep, cli.ClientVersion()
	}

	t.Run("beside the ping, at the daemon's version", func(t *testing.T) {
		p.infoRequests()
		rep, _ := audit(t, nil)
		assert.Equal(t, []string{"GET /info"}, p.infoRequests(), "one unversioned /info, nothing asked again")
		assert.Equal(t, want.Info.ID, rep.Host.DaemonID)
	})
	t.Run("a daemon stating another version is asked again", func(t *testing.T) {
		for _, served := range []string{"1.99", "1.12"} {
			p.mu.Lock()
			p.served = served
			p.mu.Unlock()
			p.infoRequests()
			_, v := audit(t, nil)
			assert.Equal(t, []string{"GET /info", "GET /v" + v + "/info"}, p.infoRequests(), "served %s", served)
		}
		p.mu.Lock()
		p.served = ""
		p.mu.Unlock()
	})

	t.Run("an early answer at the negotiated version is used as it is", func(t *testing.T) {
		var gotHost string
		negotiated := ""
		early := func(_ context.Context, daemonHost string) (*system.Info, string, error) {
			gotHost = daemonHost
			i := want.Info
			i.ID = "EARLY:" + i.ID
			return &i, negotiated, nil
		}
		// The negotiated version, as this client settles on it.
		_, negotiated = audit(t, nil)
		p.infoRequests()
		rep, _ := audit(t, early)
		assert.Equal(t, p.host, gotHost, "EarlyInfo is told which daemon the client talks to")
		assert.Empty(t, p.infoRequests(), "no /info asked: the early answer holds")
		assert.Equal(t, "EARLY:"+want.Info.ID, rep.Host.DaemonID)
	})
	t.Run("an early answer at another version, of no version, or failed is not used", func(t *testing.T) {
		for name, early := range map[string]func(context.Context, string) (*system.Info, string, error){
			"another version": func(context.Context, string) (*system.Info, string, error) {
				return &system.Info{ID: "EARLY"}, "1.99", nil
			},
			"no version": func(context.Context, string) (*system.Info, string, error) {
				return &system.Info{ID: "EARLY"}, "", nil
			},
			"failed": func(context.Context, string) (*system.Info, string, error) {
				return nil, "", errors.New("no early request")
			},
		} {
			p.infoRequests()
			rep, v := audit(t, early)
			asked := p.infoRequests()
			if name == "failed" {
				// The fast path is tried next, and holds.
				assert.Equal(t, []string{"GET /info"}, asked, name)
			} else {
				assert.Equal(t, []string{"GET /v" + v + "/info"}, asked, name)
			}
			assert.Equal(t, want.Info.ID, rep.Host.DaemonID, name)
		}
	})
}
