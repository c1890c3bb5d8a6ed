package perms_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

func writeFile(t *testing.T, root, p, data string) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// With Facts given, Check judges the paths, metadata and accounts they hold
// and reads nothing under Root: daemon.json, its mode, passwd and group
// there say something else.
func TestCheckJudgesTheGatheredFacts(t *testing.T) {
	other := t.TempDir()
	writeFile(t, other, "etc/docker/daemon.json", `{"data-root": "/srv/gathered"}`)
	writeFile(t, other, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
	writeFile(t, other, "etc/group", "root:x:0:\n")
	r, err := hostfs.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	facts := hostfs.Gather(r, hostfs.GatherOptions{})
	r.Close()

	root := t.TempDir()
	writeFile(t, root, "etc/docker/daemon.json", `{"data-root": "/srv/on-disk"}`)
	writeFile(t, root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
	writeFile(t, root, "etc/group", "root:x:0:\n")
	// On disk daemon.json is world-writable; the gathered one is 0644.
	if err := os.Chmod(filepath.Join(root, "etc/docker/daemon.json"), 0o666); err != nil {
		t.Fatal(err)
	}
	rep, err := perms.Check(perms.Config{Root: root, Facts: &facts})
	if err != nil {
		t.Fatal(err)
	}
	modes := 0
	for _, f := range append(rep.Findings, onDiskFindings(t, root)...) {
		if f.Rule == perms.FileDaemonJSONMode {
			modes++
		}
	}
	if modes != 2 {
		t.Fatalf("%d %s findings, want one with facts and one without", modes, perms.FileDaemonJSONMode)
	}
	for _, f := range rep.Findings {
		if f.Rule == perms.FileDaemonJSONMode && f.Status != rule.StatusPass {
			t.Errorf("%s: %s %s, want the gathered mode 0644 judged (the file on disk is 0666)", f.Rule, f.Status, f.Reason)
		}
	}
	onDisk, err := perms.Check(perms.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range onDisk.Findings {
		if f.Rule == perms.FileDaemonJSONMode && f.Status != rule.StatusFail {
			t.Errorf("without facts %s: %s, want the 0666 file on disk to fail", f.Rule, f.Status)
		}
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule == perms.FileDataRootOwner {
			found = true
			if f.Target != "file:/srv/gathered" {
				t.Errorf("%s judged %s, want the gathered data root", f.Rule, f.Target)
			}
		}
	}
	if !found {
		t.Fatalf("no %s finding", perms.FileDataRootOwner)
	}

	facts.AccountsErr = errors.New("gathering failed")
	if _, err := perms.Check(perms.Config{Root: root, Facts: &facts}); err == nil {
		t.Error("Check read the accounts again instead of reporting the gathered error")
	}
}

func onDiskFindings(t *testing.T, root string) []rule.Finding {
	t.Helper()
	rep, err := perms.Check(perms.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}
