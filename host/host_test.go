package host_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func write(t *testing.T, root, p, data string) {
	t.Helper()
	full := filepath.Join(root, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func find(t *testing.T, rep rule.Report, id rule.ID) rule.Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Rule == id {
			return f
		}
	}
	t.Fatalf("no %s finding in %+v", id, rep.Findings)
	return rule.Finding{}
}

const mountRoot = "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"

func auditTree(t *testing.T) string {
	root := t.TempDir()
	write(t, root, "usr/bin/dockerd", "")
	write(t, root, "usr/bin/containerd", "")
	write(t, root, "usr/bin/runc", "")
	write(t, root, "lib/systemd/system/docker.service", "")
	write(t, root, "etc/docker/daemon.json", `{"data-root":"/srv/docker"}`)
	os.MkdirAll(filepath.Join(root, "srv/docker"), 0o710)
	return root
}

// ruleLine is auditctl's grammar for the watch rules safedock generates:
// -w PATH -p [rwxa]+ -k KEY (key at most 31 characters... auditctl allows
// up to AUDIT_MAX_KEY_LEN 256).
var ruleLine = regexp.MustCompile(`^-w (/[^\s]*) -p [rwxa]{1,4} -k [A-Za-z0-9_.-]{1,256}$`)

// TestGeneratedRulesLoad loads this machine's generated rules with
// `auditctl -R` under a unique key and removes exactly those rules again.
// Where auditctl or the kernel audit subsystem is unavailable, the rules
// are checked against auditctl's rule grammar instead; the log says which.
func TestGeneratedRulesLoad(t *testing.T) {
	gen, err := host.AuditRules(host.Inputs{Root: "/"})
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, l := range strings.Split(string(gen), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !ruleLine.MatchString(l) {
			t.Errorf("not auditctl watch syntax: %q", l)
		}
		rules = append(rules, l)
	}
	if len(rules) == 0 {
		t.Fatal("no rules generated on this host")
	}
	if _, err := exec.LookPath("auditctl"); err != nil {
		t.Logf("auditctl is not installed: checked %d rules against auditctl's grammar only", len(rules))
		return
	}
	if out, err := exec.Command("auditctl", "-s").CombinedOutput(); err != nil {
		t.Logf("kernel audit subsystem unavailable (%v: %s): checked %d rules against auditctl's grammar only", err, bytes.TrimSpace(out), len(rules))
		return
	}
	key := fmt.Sprintf("safedock-test-%d", os.Getpid())
	var mine []string
	for _, l := range rules {
		mine = append(mine, strings.Replace(l, "-k docker", "-k "+key, 1))
	}
	file := filepath.Join(t.TempDir(), "docker.rules")
	if err := os.WriteFile(file, []byte(strings.Join(mine, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, l := range mine {
			args := strings.Fields(strings.Replace(l, "-w ", "-W ", 1))
			_ = exec.Command("auditctl", args...).Run()
		}
	})
	if out, err := exec.Command("auditctl", "-R", file).CombinedOutput(); err != nil {
		t.Fatalf("auditctl -R rejected the generated rules: %v\n%s", err, out)
	}
	active, err := host.ActiveAuditRules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, w := range host.ParseAuditRules(active) {
		if w.Key == key {
			loaded++
		}
	}
	if loaded != len(mine) {
		t.Errorf("auditctl -l lists %d rules with key %s, want %d:\n%s", loaded, key, len(mine), active)
	}
	t.Logf("auditctl -R loaded all %d generated rules into the kernel (key %s), then removed them", loaded, key)
}

func FuzzParseAuditRules(f *testing.F) {
	f.Add([]byte("-w /etc/docker -p wa -k docker\n-a always,exit -F dir=/x -F perm=rwxa -F key=k\n-D\n-b 8192\n"))
	f.Add([]byte("-w\n-F\n-F path\n-a -F dir="))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, w := range host.ParseAuditRules(data) {
			if !strings.HasPrefix(w.Path, "/") {
				t.Fatalf("watch with a relative path %q", w.Path)
			}
		}
	})
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add([]byte(mountRoot + "41 26 254:0 /var/lib/docker /var/lib/docker rw shared:1 - ext4 /dev/vda rw\n"))
	f.Add([]byte("1 2 3 \\04 \\0 - - -\n- - - - - - -"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms := host.ParseMountInfo(data)
		_, _ = host.MountOf(ms, "/var/lib/docker")
	})
}
