package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runKubeCmd(path string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "PATH" {
			return path
		}
		return ""
	}
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: getenv}, append([]string{"kube"}, args...))
	return code, out.String(), errb.String()
}

func TestKubeWithoutHelperSaysHowToInstall(t *testing.T) {
	code, out, errOut := runKubeCmd(t.TempDir(), "export", "img")
	if code != exitError || out != "" || !strings.Contains(errOut, kubeInstall) {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestKubeRunsHelperAndPassesExitCode(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"args: $*\"\necho warn >&2\n[ \"$1\" = export ] || exit 2\n"
	if err := os.WriteFile(filepath.Join(dir, kubeCommand), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runKubeCmd(dir, "export", "--user", "1000", "img")
	if code != exitOK || out != "args: export --user 1000 img\n" || errOut != "warn\n" {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	if code, _, _ := runKubeCmd(dir, "apply"); code != exitUsage {
		t.Fatalf("exit code not passed through: %d", code)
	}
}
