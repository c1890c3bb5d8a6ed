package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

// "safedock audit" sends the daemon's /info while the program is still
// starting (package earlyinfo), before anything else it asks, and uses that
// answer: the daemon sees one /info, unversioned, first. With
// DOCKER_API_VERSION pinned it is not sent early (the client asks at that
// version), and "safedock audit --help" asks the daemon nothing.
func TestAuditSendsInfoWhileItStarts(t *testing.T) {
	daemon := dockertest.Client(t)
	info, err := daemon.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	var mu sync.Mutex
	var seen []string
	proxy := dockertest.StartFaultProxy(t, daemon.DaemonHost(), func(r *http.Request) bool {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		return false
	})
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
	bin := filepath.Join(t.TempDir(), "safedock")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	run := func(env []string, args ...string) []byte {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), append([]string{"DOCKER_HOST=" + proxy.Host, "DOCKER_API_VERSION="}, env...)...)
		out, _ := cmd.Output() // findings make the exit code 1
		return out
	}
	infos := func(reqs []string) []string {
		var out []string
		for _, r := range reqs {
			if strings.HasSuffix(r, "/info") {
				out = append(out, r)
			}
		}
		return out
	}

	requests()
	report := run(nil, "audit", "--only", "containers", "--format", "json")
	var rep struct {
		Host struct {
			DaemonID string `json:"daemon_id"`
		} `json:"host"`
	}
	require.NoError(t, json.Unmarshal(report, &rep), "%s", report)
	reqs := requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, "GET /info", reqs[0], "the first request is the early /info: %v", reqs)
	assert.Equal(t, []string{"GET /info"}, infos(reqs), "and the only /info: %v", reqs)
	assert.Equal(t, info.Info.ID, rep.Host.DaemonID, "the report is the daemon's")

	run([]string{"DOCKER_API_VERSION=1.41"}, "audit", "--only", "containers", "--format", "json")
	assert.Equal(t, []string{"GET /v1.41/info"}, infos(requests()), "a pinned version is asked at that version")

	run(nil, "audit", "--help")
	assert.Empty(t, requests(), "help asks the daemon nothing")
}
