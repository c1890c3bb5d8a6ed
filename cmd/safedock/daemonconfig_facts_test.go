package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonConfigContainersFailExit: a file dockerd starts with but on
// which every container fails is an error (exit 1), with the effect named.
func TestDaemonConfigContainersFailExit(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"no-name.json":   `{"default-ulimits": {"nofile": {"Hard": 4096, "Soft": 4096}}}`,
		"soft-hard.json": `{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 1024, "Soft": 4096}}}`,
		"driver.json":    `{"log-driver": "jsonfile"}`,
		"max-size.json":  `{"log-opts": {"max-size": "10 megs"}}`,
	} {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := runDaemonCLI(t, "daemon-config", "validate", f, "--swarm", "no", "--engine-version", "28.5")
		if code != exitFindings || !strings.Contains(out, "containers will fail") {
			t.Errorf("%s: exit %d, want %d naming that containers fail\n%s%s", name, code, exitFindings, out, stderr)
		}
	}
}

// TestDaemonConfigHostFacts: --host-facts local turns the host-dependent
// warnings into errors where this host lacks what the file needs; none
// (the default) keeps them warnings.
func TestDaemonConfigHostFacts(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"proxy.json":  `{"userland-proxy-path": "/nonexistent/safedock/docker-proxy"}`,
		"userns.json": `{"userns-remap": "safedock-no-such-user"}`,
		"authz.json":  `{"authorization-plugins": ["safedock-no-such-plugin"]}`,
		"tls.json":    `{"tls": true, "tlsverify": true, "tlscacert": "/nonexistent/ca.pem", "tlscert": "/nonexistent/cert.pem", "tlskey": "/nonexistent/key.pem"}`,
		"group.json":  `{"group": "safedock-no-such-group"}`,
		"addr.json":   `{"metrics-addr": "192.0.2.10:9323"}`,
	}
	for name, body := range cases {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, stderr := runDaemonCLI(t, "daemon-config", "validate", f, "--swarm", "no", "--engine-version", "28.5"); code != exitOK {
			t.Errorf("%s without host facts: exit %d, want %d (warnings only)\n%s%s", name, code, exitOK, out, stderr)
		}
		code, out, stderr := runDaemonCLI(t, "daemon-config", "validate", f, "--swarm", "no", "--engine-version", "28.5", "--host-facts", "local")
		if code != exitFindings || !strings.Contains(out, "dockerd refuses to start") {
			t.Errorf("%s with --host-facts local: exit %d, want %d (refused)\n%s%s", name, code, exitFindings, out, stderr)
		}
	}
	ok := filepath.Join(dir, "ok.json")
	if err := os.WriteFile(ok, []byte(`{"userns-remap": "root", "metrics-addr": "127.0.0.1:9323", "experimental": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runDaemonCLI(t, "daemon-config", "validate", ok, "--swarm", "no", "--host-facts", "local"); code != exitOK {
		t.Errorf("a file this host satisfies: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, _ := runDaemonCLI(t, "daemon-config", "validate", ok, "--host-facts", "remote"); code != exitUsage {
		t.Errorf("--host-facts remote: exit %d, want %d", code, exitUsage)
	}
}

// TestDaemonConfigSchemaCommand: the schema follows --engine-version.
func TestDaemonConfigSchemaCommand(t *testing.T) {
	keys := func(args ...string) map[string]any {
		t.Helper()
		code, out, stderr := runDaemonCLI(t, append([]string{"daemon-config", "schema"}, args...)...)
		if code != exitOK {
			t.Fatalf("schema %v: exit %d: %s", args, code, stderr)
		}
		var s struct {
			Schema     string         `json:"$schema"`
			Props      map[string]any `json:"properties"`
			Additional *bool          `json:"additionalProperties"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("schema %v is not JSON: %v", args, err)
		}
		if s.Schema != "https://json-schema.org/draft/2020-12/schema" || s.Additional == nil || *s.Additional {
			t.Fatalf("schema %v: $schema %q, additionalProperties %v", args, s.Schema, s.Additional)
		}
		return s.Props
	}
	old, cur := keys(), keys("--engine-version", "29.7.2")
	if _, ok := old["graph"]; !ok {
		t.Error("20.10 schema lacks graph")
	}
	if _, ok := cur["graph"]; ok {
		t.Error("29.7 schema has graph")
	}
	if _, ok := cur["default-stop-timeout"]; !ok {
		t.Error("29.7 schema lacks default-stop-timeout")
	}
	if code, _, _ := runDaemonCLI(t, "daemon-config", "schema", "--engine-version", "19.03"); code != exitUsage {
		t.Errorf("schema for 19.03: exit %d, want %d", code, exitUsage)
	}
}
