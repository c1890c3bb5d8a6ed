package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// The CLI's audits judge what a bind really mounts on a local daemon: a
// source that is a symlink to /etc fails CIS 5.6 with method "resolved" in
// "audit containers" and in the whole-host audit alike, not only when a
// caller hands hardening.Audit local host facts itself.
func TestAuditResolvesBindSourcesOnALocalDaemon(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	link := filepath.Join(t.TempDir(), "etclink")
	require.NoError(t, os.Symlink("/etc", link))
	name := createContainer(t, cli, img.Ref, nil, &container.HostConfig{Binds: []string{link + ":/x"}}, false)

	for _, args := range [][]string{
		{"audit", "containers", "--all", "--format", "json"},
		{"audit", "--only", "containers", "--all", "--format", "json"},
	} {
		code, out, stderr := invoke(args...)
		require.Equal(t, exitFindings, code, stderr)
		var got *rule.Finding
		for _, f := range parseAudit(t, out).Findings {
			if f.Target == "container:"+name && f.Rule == rule.ContainerSensitiveMounts {
				got = &f
			}
		}
		require.NotNil(t, got, "%v: no 5.6 finding for %s", args, name)
		assert.Equal(t, rule.StatusFail, got.Status, "%v: %+v", args, *got)
		assert.Equal(t, "resolved", got.Method, "%v", args)
		assert.Contains(t, got.Reason+" "+got.Detail, "/etc", "%v", args)
	}
}
