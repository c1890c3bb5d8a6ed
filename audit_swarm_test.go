package safedock

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// The daemon section asks the daemon whether it is a swarm node: a
// daemon.json with live-restore, which dockerd refuses to start with on a
// swarm node, fails CIS 2.15 there and passes on a plain daemon.
func TestDaemonSectionJudgesLiveRestoreOnASwarmNode(t *testing.T) {
	root := writeTree(t, map[string]string{"etc/docker/daemon.json": `{"live-restore": true}`})
	local := false
	judge := func(cli Client) rule.Finding {
		t.Helper()
		rep, _ := Audit(context.Background(), Options{Client: cli, Root: root, Remote: &local, Only: []Section{SectionDaemon}})
		for _, f := range rep.Findings {
			if f.Rule == daemonconf.DaemonLiveRestore {
				return f
			}
		}
		t.Fatalf("no %s finding in %+v", daemonconf.DaemonLiveRestore, rep.Findings)
		return rule.Finding{}
	}
	plain := judge(dockertest.Client(t))
	assert.Equal(t, rule.StatusPass, plain.Status, "%+v", plain)

	sw := dockertest.StartSwarm(t, dockertest.DaemonOptions{})
	f := judge(sw.Client)
	require.Equal(t, rule.StatusFail, f.Status, "%+v", f)
	assert.Contains(t, f.Reason+" "+f.Detail, "swarm")
}
