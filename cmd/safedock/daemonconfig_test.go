package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safedock/safedock/internal/dockertest"
)

func runDaemonCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func TestDaemonConfigCLI(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"hosts": ["tcp://0.0.0.0:2375"], "disable-legacy-registry": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runDaemonCLI(t, "daemon-config", "validate", bad, "--dockerd-args", "-H fd://", "--format", "json")
	if code != exitFindings || !strings.Contains(out, "daemon.valid-config") || !strings.Contains(out, "flag-conflict") && !strings.Contains(out, "also given as a flag") {
		t.Fatalf("validate: code %d\n%s", code, out)
	}
	code, gen, _ := runDaemonCLI(t, "daemon-config", "generate", "--syslog", "udp://127.0.0.1:514")
	if code != exitOK {
		t.Fatalf("generate: %d", code)
	}
	good := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(good, []byte(gen), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runDaemonCLI(t, "daemon-config", "validate", good); code != exitOK {
		t.Fatalf("validate generated: %d\n%s", code, out)
	}
	weak := filepath.Join(dir, "weak.json")
	if err := os.WriteFile(weak, []byte(`{"icc": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runDaemonCLI(t, "daemon-config", "harden", weak, "--write")
	if code != exitOK || !strings.Contains(stderr, "icc: true -> false") {
		t.Fatalf("harden: %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(weak); !strings.Contains(string(b), `"icc": false`) {
		t.Fatalf("not written: %s", b)
	}
	if code, _, _ := runDaemonCLI(t, "daemon-config", "validate"); code != exitUsage {
		t.Errorf("missing FILE: %d", code)
	}
}

// TestDaemonConfigOnASwarmNode: harden asks the daemon whether its node is
// in a swarm and never adds live-restore there (dockerd would refuse to
// start its cluster component), and validate reports the conflict.
func TestDaemonConfigOnASwarmNode(t *testing.T) {
	d := dockertest.StartSwarm(t, dockertest.DaemonOptions{})
	t.Setenv("DOCKER_HOST", d.Host)
	dir := t.TempDir()
	weak := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(weak, []byte(`{"icc": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runDaemonCLI(t, "daemon-config", "harden", weak)
	if code != exitOK || !strings.Contains(out, `"icc": false`) {
		t.Fatalf("harden on a swarm node: exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out, "live-restore") || strings.Contains(stderr, "live-restore") {
		t.Errorf("harden added live-restore on a swarm node:\n%s%s", out, stderr)
	}
	// The same file, hardened for a node known not to be in a swarm, gets it.
	if _, out, _ := runDaemonCLI(t, "daemon-config", "harden", weak, "--swarm", "no"); !strings.Contains(out, `"live-restore": true`) {
		t.Errorf("--swarm no: no live-restore:\n%s", out)
	}
	lr := filepath.Join(dir, "live-restore.json")
	if err := os.WriteFile(lr, []byte(`{"live-restore": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runDaemonCLI(t, "daemon-config", "validate", lr)
	if code != exitFindings || !strings.Contains(out, "live-restore is incompatible with swarm mode") {
		t.Errorf("validate on a swarm node: exit %d, want %d with the conflict\n%s%s", code, exitFindings, out, stderr)
	}
	code, out, stderr = runDaemonCLI(t, "daemon-config", "harden", lr, "--write")
	if code != exitOK || !strings.Contains(stderr, "live-restore: true -> false") {
		t.Errorf("harden --write of live-restore on a swarm node: exit %d\n%s%s", code, out, stderr)
	}
	if b, _ := os.ReadFile(lr); !strings.Contains(string(b), `"live-restore": false`) {
		t.Errorf("written file: %s", b)
	}
}
