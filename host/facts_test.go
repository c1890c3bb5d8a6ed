package host_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// gathered returns the facts of another root, whose daemon.json names
// dataRoot (a directory there), whose OS is Flatcar, whose persisted audit
// rules watch /etc/docker, and whose socket's group has a member.
func gathered(t *testing.T, dataRoot string) *hostfs.Facts {
	t.Helper()
	other := t.TempDir()
	gid := os.Getgid()
	write(t, other, "etc/docker/daemon.json", `{"data-root": "`+dataRoot+`"}`)
	write(t, other, "etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
	write(t, other, "etc/group", fmt.Sprintf("root:x:0:\nsock:x:%d:alice\n", gid))
	write(t, other, dataRoot+"/.keep", "")
	write(t, other, "etc/os-release", "ID=flatcar\nNAME=\"Flatcar Container Linux by Kinvolk\"\n")
	write(t, other, "etc/audit/rules.d/docker.rules", "-w /etc/docker -p rwxa -k docker\n")
	write(t, other, "var/run/docker.sock", "")
	if err := os.Chmod(filepath.Join(other, "var/run/docker.sock"), 0o660); err != nil {
		t.Fatal(err)
	}
	r, err := hostfs.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := hostfs.Gather(r, hostfs.GatherOptions{})
	return &f
}

// With Facts given, Check judges them and reads nothing under Root again:
// daemon.json, passwd and group, os-release, the audit rules and the
// socket's and data root's metadata under Root say something else.
func TestCheckJudgesTheGatheredFacts(t *testing.T) {
	root := t.TempDir()
	write(t, root, "etc/docker/daemon.json", `{"data-root": "/srv/on-disk"}`)
	write(t, root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n")
	write(t, root, "etc/group", "root:x:0:\n")
	write(t, root, "srv/on-disk/.keep", "")
	write(t, root, "etc/os-release", "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n")
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
	if f := find(t, rep, host.HostOperatingSystem); f.Status != rule.StatusPass {
		t.Errorf("%s: %s %s, want the gathered os-release (Flatcar) to pass", f.Rule, f.Status, f.Reason)
	}
	if f := find(t, rep, host.AuditEtcDocker); f.Status != rule.StatusPass {
		t.Errorf("%s: %s %s, want the gathered audit rules (a watch on /etc/docker) to pass", f.Rule, f.Status, f.Reason)
	}
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusWarn {
		t.Errorf("%s: %s %s, want the gathered socket (group sock, member alice) to warn", f.Rule, f.Status, f.Reason)
	}

	// Accounts that could not be gathered are not read again.
	facts := gathered(t, "/srv/gathered")
	facts.AccountsErr = errors.New("gathering failed")
	if _, err := host.Check(host.Inputs{Root: root, Facts: facts}); err == nil {
		t.Error("Check read the accounts again instead of reporting the gathered error")
	}
}
