package host_test

import (
	"errors"
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/internal/hostfs"
)

// gathered returns the facts of a root whose daemon.json names dataRoot.
func gathered(t *testing.T, dataRoot string) *hostfs.Facts {
	t.Helper()
	other := t.TempDir()
	write(t, other, "etc/docker/daemon.json", `{"data-root": "`+dataRoot+`"}`)
	write(t, other, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
	write(t, other, "etc/group", "root:x:0:\n")
	r, err := hostfs.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := hostfs.Gather(r, hostfs.GatherOptions{})
	return &f
}

// With Facts given, Check judges them and reads daemon.json, passwd and
// group no more: the files under Root say something else.
func TestCheckJudgesTheGatheredFacts(t *testing.T) {
	root := t.TempDir()
	write(t, root, "etc/docker/daemon.json", `{"data-root": "/srv/on-disk"}`)
	write(t, root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
	write(t, root, "etc/group", "root:x:0:\n")
	write(t, root, "srv/gathered/.keep", "")
	rep, err := host.Check(host.Inputs{Root: root, Facts: gathered(t, "/srv/gathered"), MountInfo: []byte(mountRoot)})
	if err != nil {
		t.Fatal(err)
	}
	if f := find(t, rep, host.HostDataRootMount); f.Target != "host:/srv/gathered" {
		t.Errorf("%s judged %s, want the gathered data root", f.Rule, f.Target)
	}
	if f := find(t, rep, host.AuditDataRoot); f.Target != "audit:/srv/gathered" {
		t.Errorf("%s judged %s, want the gathered data root", f.Rule, f.Target)
	}

	// Accounts that could not be gathered are not read again.
	facts := gathered(t, "/srv/gathered")
	facts.AccountsErr = errors.New("gathering failed")
	if _, err := host.Check(host.Inputs{Root: root, Facts: facts}); err == nil {
		t.Error("Check read the accounts again instead of reporting the gathered error")
	}
}
