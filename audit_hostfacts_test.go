package safedock

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// The daemon section judges host-dependent cases against the audited root
// (daemonconf.HostFactsFrom the gathered facts, accounts included): a
// userns-remap user the root's /etc/passwd lacks is what dockerd refuses to
// start with, not a warning to confirm by hand; one it has is fine.
func TestDaemonSectionUsesTheRootsHostFacts(t *testing.T) {
	local := false
	judge := func(passwd string) []rule.Finding {
		root := writeTree(t, map[string]string{
			"etc/docker/daemon.json": `{"userns-remap": "dockremap"}`,
			"etc/passwd":             passwd,
			"etc/group":              "root:x:0:\ndockremap:x:999:\n",
			"etc/subuid":             "dockremap:100000:65536\n",
			"etc/subgid":             "dockremap:100000:65536\n",
		})
		rep, _ := Audit(context.Background(), Options{Root: root, Remote: &local, Only: []Section{SectionDaemon}})
		var out []rule.Finding
		for _, f := range rep.Findings {
			if strings.Contains(f.Reason+f.Detail, "dockremap") {
				out = append(out, f)
			}
		}
		return out
	}
	missing := judge("root:x:0:0:root:/root:/bin/sh\n")
	require.NotEmpty(t, missing)
	for _, f := range missing {
		t.Logf("missing user: %s %s: %s (%s)", f.Rule, f.Status, f.Reason, f.Detail)
	}
	assert.True(t, hasStatus(missing, rule.StatusFail), "a missing remap user is a failure: %+v", missing)
	present := judge("root:x:0:0:root:/root:/bin/sh\ndockremap:x:999:999::/nonexistent:/usr/sbin/nologin\n")
	assert.False(t, hasStatus(present, rule.StatusFail), "an existing remap user is fine: %+v", present)
}

func hasStatus(fs []rule.Finding, s rule.Status) bool {
	for _, f := range fs {
		if f.Status == s {
			return true
		}
	}
	return false
}

// A file daemon.json names (here the seccomp profile) is looked up under
// the audited root: missing, dockerd refuses to start; present, it is fine.
func TestDaemonSectionLooksUpFilesUnderTheRoot(t *testing.T) {
	local := false
	judge := func(files map[string]string) rule.Finding {
		files["etc/docker/daemon.json"] = `{"seccomp-profile": "/etc/docker/seccomp.json"}`
		rep, _ := Audit(context.Background(), Options{Root: writeTree(t, files), Remote: &local, Only: []Section{SectionDaemon}})
		for _, f := range rep.Findings {
			if f.Rule == "daemon.valid-config" {
				return f
			}
		}
		t.Fatalf("no daemon.valid-config finding in %+v", rep.Findings)
		return rule.Finding{}
	}
	missing := judge(map[string]string{})
	assert.Equal(t, rule.StatusFail, missing.Status, "%+v", missing)
	assert.Contains(t, missing.Detail, "seccomp")
	present := judge(map[string]string{"etc/docker/seccomp.json": `{"defaultAction": "SCMP_ACT_ERRNO"}`})
	assert.NotEqual(t, rule.StatusFail, present.Status, "%+v", present)
}
