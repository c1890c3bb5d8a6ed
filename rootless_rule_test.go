package safedock

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// The rootless rule (CIS 2.1, "run the daemon as a non-root user") passes
// on a rootless dockerd and fails, with its remediation, on a rootful one;
// without /info it is skipped, never passed.
func TestAuditRootlessRuleCIS21(t *testing.T) {
	root := writeTree(t, map[string]string{
		"etc/docker/daemon.json":                `{"icc": true}`,
		"home/alice/.config/docker/daemon.json": `{"icc": false}`,
		"etc/passwd":                            "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
	})
	local := false
	rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Client: infoClient{info: rootlessInfo(), host: "unix:///run/user/1000/docker.sock"}, Only: []Section{SectionDaemon}})
	byRule := map[rule.ID][]rule.Finding{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	require.Len(t, byRule[DaemonRootless], 1)
	rl := byRule[DaemonRootless][0]
	assert.Equal(t, rule.StatusPass, rl.Status)
	assert.Equal(t, []string{"2.1"}, rl.CIS)

	// A rootful daemon on the same root: /etc/docker/daemon.json, and 2.1
	// is reported.
	rootful := rootlessInfo()
	rootful.SecurityOptions = []string{"name=seccomp,profile=default"}
	rootful.DockerRootDir = "/var/lib/docker"
	rep, _ = Audit(context.Background(), Options{Root: root, Remote: &local, Client: infoClient{info: rootful, host: "unix:///var/run/docker.sock"}, Only: []Section{SectionDaemon}})
	var sawSystem bool
	for _, f := range rep.Findings {
		sawSystem = sawSystem || f.Target == "file:/etc/docker/daemon.json"
		if f.Rule == DaemonRootless {
			assert.Equal(t, rule.StatusFail, f.Status)
			assert.Contains(t, f.Remediation, "rootless")
			assert.Contains(t, f.Reason, "runs as root")
		}
	}
	assert.True(t, sawSystem)
	assert.Equal(t, 1, countRule(rep.Findings, DaemonRootless))

	f := judgeRootless(nil, assert.AnError, "daemon:x")
	assert.Equal(t, rule.StatusSkip, f.Status)
	assert.Contains(t, f.Reason, "did not answer /info")

	assert.NoError(t, rootlessRules().CheckReferences())
	for _, b := range rule.Benchmarks() {
		assert.Equal(t, []string{"2.1"}, rootlessRules()[0].References(b), b)
	}
}

func countRule(fs []rule.Finding, id rule.ID) int {
	n := 0
	for _, f := range fs {
		if f.Rule == id {
			n++
		}
	}
	return n
}
