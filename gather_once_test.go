package safedock

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// The whole-host audit of a root opens every file under it at most once:
// the gather step reads each input (daemon.json, the accounts, os-release,
// the audit rules, the units) and every section judges the facts, never the
// files. The inputs that several sections need are opened exactly once.
func TestAuditOpensEveryFileUnderTheRootAtMostOnce(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock") // no daemon: /info fails at once
	root := writeTree(t, map[string]string{
		// fd://: the sockets come from docker.socket, which the gather,
		// the host, the files and the container sections all need.
		// The files it names are looked up by the daemon section too
		// (they must exist for dockerd to start), from the same gather.
		"etc/docker/daemon.json":                            `{"icc": false, "hosts": ["fd://"], "data-root": "/srv/docker", "seccomp-profile": "/etc/docker/seccomp.json", "tls": true, "tlsverify": true, "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem", "tlskey": "/etc/docker/key.pem"}`,
		"etc/docker/ca.pem":                                 "-----BEGIN CERTIFICATE-----\n",
		"etc/docker/cert.pem":                               "-----BEGIN CERTIFICATE-----\n",
		"etc/docker/key.pem":                                "-----BEGIN PRIVATE KEY-----\n",
		"etc/docker/seccomp.json":                           `{"defaultAction": "SCMP_ACT_ERRNO"}`,
		"run/systemd/system/.keep":                          "",
		"etc/docker/certs.d/registry.example:5000/ca.crt":   "-----BEGIN CERTIFICATE-----\n",
		"etc/passwd":                                        "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
		"etc/group":                                         "root:x:0:\ndocker:x:999:alice\n",
		"etc/os-release":                                    "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n",
		"etc/audit/rules.d/docker.rules":                    "-w /etc/docker -p rwxa -k docker\n",
		"etc/audit/audit.rules":                             "-w /srv/docker -p rwxa -k docker\n",
		"etc/default/docker":                                "DOCKER_OPTS=\n",
		"etc/containerd/config.toml":                        "version = 2\n",
		"lib/systemd/system/docker.service":                 "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n",
		"lib/systemd/system/docker.socket":                  "[Socket]\nListenStream=/run/docker.sock\n",
		"etc/systemd/system/docker.service.d/override.conf": "[Service]\nLimitNOFILE=1048576\n",
		"usr/bin/dockerd":                                   "",
		"usr/bin/runc":                                      "",
		"srv/docker/.keep":                                  "",
		"run/docker.sock":                                   "",
	})
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	}))
	oc := newOpenCounter(t, files...)

	local := false
	rep, err := Audit(context.Background(), Options{Root: root, Remote: &local, Only: []Section{SectionHost, SectionAuditd, SectionDaemon, SectionFiles}})
	require.ErrorIs(t, err, rule.ErrIncomplete, "the engine checks could not run without a daemon")
	for _, s := range rep.Sections {
		if s.Section != SectionHost {
			assert.Empty(t, s.Error, s.Section)
		}
	}
	counts := oc.counts(t)
	for p, n := range counts {
		assert.LessOrEqual(t, n, 1, "%s opened %d times", strings.TrimPrefix(p, root), n)
	}
	for _, p := range []string{"etc/docker/seccomp.json", "etc/docker/ca.pem", "etc/docker/cert.pem", "etc/docker/key.pem", "srv/docker/.keep"} {
		n, ok := counts[filepath.Join(root, p)]
		assert.True(t, ok, "%s is watched", p)
		assert.LessOrEqual(t, n, 1, "%s (named by daemon.json) opened %d times", p, n)
	}
	for _, p := range []string{"etc/docker/daemon.json", "etc/passwd", "etc/group", "etc/os-release", "etc/audit/rules.d/docker.rules", "etc/audit/audit.rules", "lib/systemd/system/docker.socket"} {
		assert.Equal(t, 1, counts[filepath.Join(root, p)], "%s is an input: read once", p)
	}

	// Every section judged the facts read: the audit rules watch
	// /etc/docker, the OS is Debian, the socket from docker.socket was
	// found, and the files section found the certificate.
	seen := map[string]rule.Finding{}
	for _, f := range rep.Findings {
		seen[string(f.Rule)+" "+f.Target] = f
	}
	byRule := func(id, target string) rule.Finding {
		t.Helper()
		f, ok := seen[id+" "+target]
		require.True(t, ok, "no %s finding for %s", id, target)
		return f
	}
	assert.Equal(t, rule.StatusPass, byRule("audit.etc-docker", "audit:/etc/docker").Status)
	assert.Equal(t, rule.StatusPass, byRule("audit.data-root", "audit:/srv/docker").Status)
	assert.Equal(t, rule.StatusWarn, byRule("host.operating-system", "host:os").Status)
	assert.Equal(t, rule.StatusPass, byRule("daemon.icc", "file:/etc/docker/daemon.json").Status)
	// The seccomp profile, the TLS files and systemd (for fd://) were
	// found in the gathered facts: dockerd would start with this file.
	valid := byRule("daemon.valid-config", "file:/etc/docker/daemon.json")
	assert.NotEqual(t, rule.StatusFail, valid.Status, "%+v", valid)
	assert.NotContains(t, valid.Detail, "seccomp", "%+v", valid)
	assert.NotContains(t, valid.Detail, ".pem", "%+v", valid)
	// Files written 0644 by the test: the socket and the certificate are
	// too open, which only a gathered lstat can tell.
	assert.Equal(t, rule.StatusFail, byRule("file.docker-sock.mode", "file:/run/docker.sock").Status)
	assert.Equal(t, rule.StatusFail, byRule("file.registry-certs.mode", "file:/etc/docker/certs.d/registry.example:5000/ca.crt").Status)
}
