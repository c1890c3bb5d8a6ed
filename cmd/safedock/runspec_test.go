package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safedock/safedock/rule"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func runcSpecBundle(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../runspec/testdata/runc-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o640); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunspecCheckAndHarden(t *testing.T) {
	dir := runcSpecBundle(t)
	cfg := filepath.Join(dir, "config.json")
	orig, _ := os.ReadFile(cfg)

	code, out, _ := runCLI(t, "runspec", "check", dir, "--format", "json")
	if code != exitFindings {
		t.Fatalf("check of runc spec output: exit %d, want %d", code, exitFindings)
	}
	var rep rule.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Summary.Fail == 0 {
		t.Fatalf("json report: %v, %+v", err, rep.Summary)
	}

	code, out, _ = runCLI(t, "runspec", "harden", dir, "--tmpfs", "/tmp:1048576")
	if code != exitOK || !strings.Contains(out, `"noNewPrivileges": true`) {
		t.Fatalf("harden to stdout: exit %d\n%s", code, out)
	}
	if now, _ := os.ReadFile(cfg); !bytes.Equal(now, orig) {
		t.Fatal("harden without --write changed the file")
	}

	code, _, stderr := runCLI(t, "runspec", "harden", "--write", dir)
	if code != exitOK {
		t.Fatalf("harden --write: exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(cfg)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode after --write: %v %v", fi.Mode(), err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, "config.json.*.bak"))
	if len(backups) != 1 {
		t.Fatalf("backups: %v", backups)
	}
	if b, _ := os.ReadFile(backups[0]); !bytes.Equal(b, orig) {
		t.Error("backup differs from the original")
	}
	if code, out, _ := runCLI(t, "runspec", "check", cfg); code != exitOK {
		t.Errorf("check after harden --write: exit %d\n%s", code, out)
	}
}

func TestRunspecExitCodes(t *testing.T) {
	dir := runcSpecBundle(t)
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"runspec"}, exitUsage},
		{[]string{"runspec", "frob", dir}, exitUsage},
		{[]string{"runspec", "check"}, exitUsage},
		{[]string{"runspec", "check", dir, "--format", "xml"}, exitUsage},
		{[]string{"runspec", "check", filepath.Join(dir, "missing")}, exitError},
		{[]string{"runspec", "harden", dir, "--user", "0:0"}, exitFindings},
		{[]string{"runspec", "harden", dir, "--user", "0:0", "--waive", "container.non-root-user=the test needs root"}, exitOK},
		{[]string{"runspec", "harden", dir, "--pids-limit", "-1"}, exitUsage},
		{[]string{"runspec", "harden", dir, "--waive", "nonsense"}, exitUsage},
	}
	for _, c := range cases {
		if code, _, stderr := runCLI(t, c.args...); code != c.want {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.want, stderr)
		}
	}
	bad := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(bad, []byte(`{"ociVersion":"1.0.2","bogus":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "runspec", "check", bad); code != exitError || !strings.Contains(stderr, `unknown field "bogus"`) {
		t.Errorf("unknown field: exit %d: %s", code, stderr)
	}
}
