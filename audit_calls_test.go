package safedock_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

// callCounter counts every HTTP request a moby client sends, by method and
// path (API version prefix removed). It sits in the client's transport chain
// (client.WithHTTPRequestHook wraps the transport), so it sees version
// negotiation and every call the audit makes.
type callCounter struct {
	mu     sync.Mutex
	total  int
	byPath map[string]int
}

var apiVersionPrefix = regexp.MustCompile(`^/v[0-9.]+/`)

func (c *callCounter) hook(r *http.Request) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.byPath[r.Method+" "+apiVersionPrefix.ReplaceAllString(r.URL.Path, "/")]++
	return nil
}

// perContainer returns, for each container ID seen in a path, how many calls
// named it, by kind ("json" for inspect, "top", ...), and the other calls.
func (c *callCounter) split() (perContainer map[string]map[string]int, other map[string]int) {
	perContainer, other = map[string]map[string]int{}, map[string]int{}
	for p, n := range c.byPath {
		method, path, _ := strings.Cut(p, " ")
		parts := strings.Split(strings.Trim(path, "/"), "/")
		if method == http.MethodGet && len(parts) == 3 && parts[0] == "containers" && len(parts[1]) == 64 {
			if perContainer[parts[1]] == nil {
				perContainer[parts[1]] = map[string]int{}
			}
			perContainer[parts[1]][parts[2]] += n
			continue
		}
		other[p] += n
	}
	return perContainer, other
}

// countedAudit runs the whole-host audit (every section) through a client
// that counts its calls.
func countedAudit(t *testing.T, host string, top bool) (*callCounter, safedock.Report) {
	t.Helper()
	cc := &callCounter{byPath: map[string]int{}}
	cli, err := client.New(client.WithHost(host), client.WithHTTPRequestHook(cc.hook))
	require.NoError(t, err)
	defer cli.Close()
	local := false
	opts := safedock.Options{Client: cli, Remote: &local}
	if top {
		opts.Processes = hardening.TopLister{Client: cli}
	}
	rep, err := safedock.Audit(context.Background(), opts)
	require.NoError(t, err)
	for _, s := range rep.Sections {
		if s.Section == safedock.SectionContainers || s.Section == safedock.SectionImages {
			require.Empty(t, s.Error, s.Section)
		}
	}
	return cc, rep
}

// The number of Docker API calls the whole-host audit makes grows by one
// per container on a local daemon (its inspect; processes come from /proc)
// and by two with the ContainerTop fallback — and not with the number of
// rules, which are evaluated in memory on that one inspect. It runs against
// a throwaway dockerd so that nothing else on the machine moves the counts.
func TestAuditCallsGrowByOnePerContainer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a throwaway dockerd and containers")
	}
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	cli := d.Client
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx := context.Background()

	var ids []string
	start := func(n int) {
		for len(ids) < n {
			if len(ids)%2 == 0 {
				net := dockertest.Name("net")
				dockertest.RemoveNetworkOnCleanup(t, cli, net) // runs after the container's removal
				c, err := hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(net), hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
				require.NoError(t, err)
				dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
				ids = append(ids, c.ID)
				continue
			}
			res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
				Config: &container.Config{Image: img.Ref, Cmd: []string{"sleep"}},
				Name:   dockertest.Name("plain"),
			})
			require.NoError(t, err)
			dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
			_, err = cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{})
			require.NoError(t, err)
			ids = append(ids, res.ID)
		}
	}

	const n = 3
	rulesPerContainer := len(hardening.Rules())
	modes := []struct {
		name     string
		top      bool
		perCtr   map[string]int // calls naming one container, by kind
		method   string
		maxDelta int // calls(2N) - calls(N)
	}{
		{"proc", false, map[string]int{"json": 1}, "proc", n},
		{"top fallback", true, map[string]int{"json": 1, "top": 1}, "top", 2 * n},
	}
	totals := make([][]int, len(modes))
	fixed := make([][]map[string]int, len(modes))
	for _, size := range []int{n, 2 * n} {
		start(size)
		for m, mode := range modes {
			cc, rep := countedAudit(t, d.Host, mode.top)
			per, other := cc.split()
			require.Len(t, per, size, "%s: every container is named by its own calls: %v", mode.name, cc.byPath)
			for _, id := range ids[:size] {
				assert.Equal(t, mode.perCtr, per[id], "%s: calls naming container %.12s", mode.name, id)
			}
			totals[m], fixed[m] = append(totals[m], cc.total), append(fixed[m], other)

			// Every rule was decided for every container from those calls.
			byTarget := map[string]int{}
			for _, f := range rep.Findings {
				if safedock.SectionOf(f.Rule) == safedock.SectionContainers {
					byTarget[f.Target]++
					if f.Rule == rule.ContainerNoSSHD {
						assert.Equal(t, mode.method, f.Method, f.Target)
						assert.Equal(t, rule.StatusPass, f.Status, f.Target)
					}
				}
			}
			require.Len(t, byTarget, size)
			for target, k := range byTarget {
				assert.Equal(t, rulesPerContainer, k, "%s: findings for %s", mode.name, target)
			}
			t.Logf("%s, %d containers: %d API calls (%d rules each); calls naming no container: %v",
				mode.name, size, cc.total, rulesPerContainer, other)
		}
	}
	for m, mode := range modes {
		assert.Equal(t, fixed[m][0], fixed[m][1], "%s: calls naming no container do not depend on how many there are", mode.name)
		assert.LessOrEqual(t, totals[m][1]-totals[m][0], mode.maxDelta, "%s: calls(2N) - calls(N)", mode.name)
	}
}
