package safedock

import (
	"context"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/system"
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

// A remote daemon's /info says whether it runs rootless: CIS 2.1 is judged
// from it (pass on a rootless one, fail on a rootful one), while the rest
// of the daemon section stays not applicable to a remote daemon.
func TestRemoteAuditJudgesRootlessFromInfo(t *testing.T) {
	remote := true
	rootful := rootlessInfo()
	rootful.SecurityOptions = []string{"name=seccomp,profile=default"}
	for name, c := range map[string]struct {
		info system.Info
		want rule.Status
	}{"rootless": {rootlessInfo(), rule.StatusPass}, "rootful": {rootful, rule.StatusFail}} {
		t.Run(name, func(t *testing.T) {
			const addr = "tcp://daemon.example:2376"
			rep, err := Audit(context.Background(), Options{Remote: &remote, Client: infoClient{info: c.info, host: addr}, Only: []Section{SectionDaemon}})
			require.NoError(t, err)
			var judged int
			for _, f := range rep.Findings {
				assert.Equal(t, "daemon:"+addr, f.Target, f.Rule)
				if f.Rule == DaemonRootless {
					judged++
					assert.Equal(t, c.want, f.Status, f.Reason)
					assert.Equal(t, "daemon's /info", f.Method)
					continue
				}
				assert.Equal(t, rule.StatusSkip, f.Status, f.Rule)
				assert.True(t, strings.HasPrefix(f.Reason, RemoteSkipPrefix+": "), f.Reason)
			}
			assert.Equal(t, 1, judged, "daemon.rootless judged once")
			require.Len(t, rep.Sections, 1)
			assert.True(t, strings.HasPrefix(rep.Sections[0].Skipped, RemoteSkipPrefix), rep.Sections[0].Skipped)
			assert.Equal(t, len(rep.Findings), rep.Sections[0].Findings)
		})
	}
}
