package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestPermsFixCommand(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "etc/docker/daemon.json")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("{}"), 0o644)
	syscall.Chmod(p, 0o470)
	runCmd := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
		return code, out.String() + errb.String()
	}
	code, out := runCmd("perms", "fix", "--root", root)
	if code != exitFindings || !strings.Contains(out, "would change: chmod 0470 -> 0440 /etc/docker/daemon.json") {
		t.Fatalf("dry run: code %d\n%s", code, out)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o470 {
		t.Fatal("dry run changed the file")
	}
	code, out = runCmd("perms", "fix", "--root", root, "--apply")
	if code != exitOK || !strings.Contains(out, "changed: chmod 0470 -> 0440") {
		t.Fatalf("apply: code %d\n%s", code, out)
	}
	code, out = runCmd("perms", "check", "--root", root, "--format", "json")
	if code != exitOK || !strings.Contains(out, `"file.daemon-json.mode"`) {
		t.Fatalf("check: code %d\n%s", code, out)
	}
	if code, _ := runCmd("audit", "host", "--root", root, "--offline", "--format", "json"); code != exitFindings && code != exitOK {
		t.Fatalf("audit host: code %d", code)
	}
}
