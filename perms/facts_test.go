package perms_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/perms"
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

// With Facts given, Check judges the paths and accounts they hold and reads
// daemon.json, passwd and group no more: the files under Root say
// something else.
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
	rep, err := perms.Check(perms.Config{Root: root, Facts: &facts})
	if err != nil {
		t.Fatal(err)
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
