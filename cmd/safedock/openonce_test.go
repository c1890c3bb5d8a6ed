package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

// Seen from the kernel: a whole-host audit of every section, against a real
// daemon, opens the daemon's configuration file once (strace -e openat
// counts every open of it, however the path is spelled), and /etc/passwd
// and /etc/group once each.
func TestAuditOpensDaemonJSONOnceUnderStrace(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		if dockertest.Required() {
			t.Fatal("strace is not installed (scripts/ensure-docker installs it)")
		}
		t.Skip("strace is not installed")
	}
	cli := dockertest.Client(t) // fails without a daemon when one is required
	root := t.TempDir()
	for p, data := range map[string]string{
		"etc/docker/daemon.json": `{"icc": false, "no-new-privileges": true, "log-driver": "json-file"}`,
		"etc/passwd":             "root:x:0:0::/root:/bin/sh\n",
		"etc/group":              "root:x:0:\ndocker:x:999:\n",
	} {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(data), 0o644))
	}
	bin := filepath.Join(t.TempDir(), "safedock")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", trace, bin, "audit", "--root", root, "--format", "json")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+cli.DaemonHost())
	report, _ := cmd.Output() // findings make the exit code non-zero
	require.Contains(t, string(report), `"section": "daemon"`, "the audit ran: %s", report)
	raw, err := os.ReadFile(trace)
	require.NoError(t, err)
	count := func(name string) int {
		n := 0
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, `"`+name+`"`) || strings.Contains(line, "/"+name+`"`) {
				n++
			}
		}
		return n
	}
	assert.Equal(t, 1, count("daemon.json"), "opens of daemon.json:\n%s", grepLines(string(raw), "daemon.json"))
	assert.Equal(t, 1, count("passwd"), "opens of passwd:\n%s", grepLines(string(raw), "passwd"))
	assert.Equal(t, 1, count("group"), "opens of group:\n%s", grepLines(string(raw), "group"))
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
