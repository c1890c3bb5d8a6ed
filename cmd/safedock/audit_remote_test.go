package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// TestAuditRemoteTLSDaemon: `safedock audit` with DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH set as for the docker CLI (which
// the same environment lets in, when it is installed) audits the images
// and containers of the daemon behind mutual TLS, says in the JSON and in
// the text which daemon and address the findings are about, reports the
// host-side sections "not applicable to a remote daemon" and passes none of
// their rules. A client certificate the daemon does not trust is exit 3
// with the TLS error, never a clean report.
func TestAuditRemoteTLSDaemon(t *testing.T) {
	d := dockertest.StartTLSDaemon(t, dockertest.DaemonOptions{})
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})
	dockertest.CreateContainer(t, d.Client, "remote", &container.Config{Image: img.Ref, Cmd: []string{"sleep"}}, &container.HostConfig{Privileged: true}, false)
	info, err := d.Client.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	d.SetEnv(t, d.Certs.ClientDir)

	if docker, err := exec.LookPath("docker"); err == nil {
		out, err := exec.Command(docker, "version", "--format", "{{.Server.Version}}").CombinedOutput()
		require.NoError(t, err, "the docker CLI with the same environment: %s", out)
		assert.Equal(t, info.Info.ServerVersion, strings.TrimSpace(string(out)))
	}

	code, out, errOut := invoke("audit", "--all", "--format", "json")
	require.Equal(t, exitFindings, code, errOut)
	doc := parseAudit(t, out)
	var meta benchDoc
	require.NoError(t, json.Unmarshal([]byte(out), &meta))
	require.NotNil(t, meta.Host, out)
	assert.Equal(t, d.Addr, meta.Host.Address)
	assert.Equal(t, info.Info.Name, meta.Host.Hostname)
	assert.Equal(t, info.Info.ID, meta.Host.DaemonID)
	assert.Empty(t, doc.Incomplete)
	for _, s := range doc.Sections {
		switch s.Section {
		case "images", "containers":
			assert.Empty(t, s.Skipped, s.Section)
			assert.NotZero(t, s.Findings, s.Section)
		default:
			assert.True(t, strings.HasPrefix(s.Skipped, "not applicable to a remote daemon: "), "%s: %q", s.Section, s.Skipped)
		}
	}
	privileged := false
	for _, f := range doc.Findings {
		switch {
		case strings.HasPrefix(string(f.Rule), "container.") || strings.HasPrefix(string(f.Rule), "image."):
			privileged = privileged || f.Rule == "container.privileged" && f.Status == rule.StatusFail
		case f.Rule == "daemon.rootless":
			// CIS 2.1 is judged from the daemon's /info: this one runs as root.
			assert.Equal(t, rule.StatusFail, f.Status, f.Reason)
			assert.Equal(t, "daemon's /info", f.Method)
		default:
			assert.Equal(t, rule.StatusSkip, f.Status, "%s on a remote daemon", f.Rule)
			assert.True(t, strings.HasPrefix(f.Reason, "not applicable to a remote daemon: "), f.Reason)
		}
	}
	assert.True(t, privileged, "the remote daemon's privileged container fails")

	code, text, errOut := invoke("audit", "--all")
	require.Equal(t, exitFindings, code, errOut)
	t.Logf("dockerd %s: %s", info.Info.ServerVersion, strings.SplitN(text, "\n", 2)[0])
	assert.Contains(t, text, "at "+d.Addr, "the text report names the daemon's address")
	assert.Contains(t, text, "skipped: not applicable to a remote daemon: ")

	d.SetEnv(t, d.Certs.WrongClientDir)
	code, out, errOut = invoke("audit", "--format", "json")
	assert.Equal(t, exitError, code, "an untrusted client certificate is not a clean audit: %s", out)
	assert.Regexp(t, `(?i)tls|certificate`, out+errOut)
}
