package safedock_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// TestRemoteTLSAudit: against a throwaway dockerd behind mutual TLS on a
// loopback port, reached exactly as the docker CLI reaches it (DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), the whole-host audit runs the image
// and container sections on that daemon, reports every rule of the
// host-side sections skipped as "not applicable to a remote daemon" (never
// passed), and names the daemon and its address. A client certificate
// another CA signed, or none, is an error, never a clean report.
func TestRemoteTLSAudit(t *testing.T) {
	d := dockertest.StartTLSDaemon(t, dockertest.DaemonOptions{})
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})
	dockertest.CreateContainer(t, d.Client, "remote", &container.Config{Image: img.Ref, Cmd: []string{"sleep"}},
		&container.HostConfig{Privileged: true}, false)
	info, err := d.Client.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	t.Logf("dockerd %s behind mutual TLS at %s", info.Info.ServerVersion, d.Addr)

	d.SetEnv(t, d.Certs.ClientDir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := safedock.Audit(ctx, safedock.Options{All: true})
	require.NoError(t, err)

	require.NotNil(t, rep.Host)
	assert.Equal(t, d.Addr, rep.Host.Address, "the report names the address the daemon was reached at")
	assert.Equal(t, info.Info.Name, rep.Host.Hostname, "and the daemon's own name, not this machine's")
	assert.Equal(t, info.Info.ID, rep.Host.DaemonID)

	bySection := map[safedock.Section]safedock.SectionResult{}
	for _, s := range rep.Sections {
		bySection[s.Section] = s
	}
	for _, sec := range []safedock.Section{safedock.SectionImages, safedock.SectionContainers} {
		s := bySection[sec]
		assert.Empty(t, s.Skipped, sec)
		assert.False(t, s.Incomplete, "%s: %s", sec, s.Error)
		assert.NotZero(t, s.Findings, sec)
	}
	var privileged bool
	for _, f := range rep.Findings {
		privileged = privileged || f.Rule == "container.privileged" && f.Status == rule.StatusFail
	}
	assert.True(t, privileged, "the privileged container on the remote daemon fails container.privileged")

	skipped := map[safedock.Section]int{}
	rootlessJudged := 0
	for _, f := range rep.Findings {
		sec := safedock.SectionOf(f.Rule)
		if sec == safedock.SectionImages || sec == safedock.SectionContainers {
			continue
		}
		if f.Rule == safedock.DaemonRootless {
			// CIS 2.1 needs no host file: judged from the daemon's /info
			// (this one runs as root).
			assert.Equal(t, rule.StatusFail, f.Status, f.Reason)
			assert.Equal(t, "daemon's /info", f.Method)
			assert.Equal(t, "daemon:"+d.Addr, f.Target)
			rootlessJudged++
			continue
		}
		assert.Equal(t, rule.StatusSkip, f.Status, "%s on a remote daemon", f.Rule)
		assert.True(t, strings.HasPrefix(f.Reason, safedock.RemoteSkipPrefix+": "), f.Reason)
		assert.Equal(t, "daemon:"+d.Addr, f.Target)
		skipped[sec]++
	}
	for _, sec := range []safedock.Section{safedock.SectionHost, safedock.SectionAuditd, safedock.SectionDaemon, safedock.SectionFiles} {
		s := bySection[sec]
		assert.True(t, strings.HasPrefix(s.Skipped, "not applicable to a remote daemon: "), s.Skipped)
		assert.Contains(t, s.Skipped, d.Addr)
		assert.False(t, s.Incomplete, sec)
		assert.NotZero(t, skipped[sec], "every rule of %s is named as not examined", sec)
		judged := 0
		if sec == safedock.SectionDaemon {
			judged = rootlessJudged
		}
		assert.Equal(t, skipped[sec]+judged, s.Findings, sec)
	}
	assert.Equal(t, 1, rootlessJudged, "daemon.rootless is judged from /info on a remote daemon")
	assert.Zero(t, rep.Summary.Pass-countStatus(rep.Findings, rule.StatusPass, safedock.SectionImages, safedock.SectionContainers),
		"no host-side rule passes")

	// A client that trusts the daemon but presents no certificate at all.
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(d.Certs.CA)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(caPEM))
	noCert, err := client.New(client.WithHost(d.Addr), client.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}))
	require.NoError(t, err)
	defer noCert.Close()
	for name, c := range map[string]struct {
		dir string
		cli safedock.Client
	}{
		"a client certificate another CA signed":    {dir: d.Certs.WrongClientDir},
		"DOCKER_CERT_PATH without a client cert":    {dir: d.Certs.NoClientDir},
		"a TLS client that presents no certificate": {dir: d.Certs.ClientDir, cli: noCert},
	} {
		t.Run(name, func(t *testing.T) {
			d.SetEnv(t, c.dir)
			rep, err := safedock.Audit(ctx, safedock.Options{Client: c.cli})
			require.Error(t, err, "never a clean report")
			assert.True(t, rep.Incomplete() || len(rep.Findings) == 0, "never clean")
			msg := err.Error()
			for _, s := range rep.Sections {
				msg += " " + s.Error
			}
			assert.Regexp(t, `(?i)tls|certificate|x509`, msg, "the error says it is the certificate")
			t.Logf("%s: %v", name, err)
		})
	}
}

func countStatus(fs []rule.Finding, st rule.Status, secs ...safedock.Section) int {
	n := 0
	for _, f := range fs {
		for _, s := range secs {
			if f.Status == st && safedock.SectionOf(f.Rule) == s {
				n++
			}
		}
	}
	return n
}
