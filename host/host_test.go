package host_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/system"
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

func TestDataRootMount(t *testing.T) {
	tests := []struct {
		name      string
		mountinfo string
		info      system.Info
		want      rule.Status
	}{
		{"own partition", mountRoot + "41 26 254:16 / /var/lib/docker rw - xfs /dev/vdb rw\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusPass},
		{"bind mount of the root filesystem", mountRoot + "41 26 254:0 /var/lib/docker /var/lib/docker rw shared:1 - ext4 /dev/vda rw\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusFail},
		{"on /", mountRoot, system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusFail},
		{"userns-remap subdirectory", mountRoot + "41 26 254:16 / /var/lib/docker rw - xfs /dev/vdb rw\n",
			system.Info{DockerRootDir: "/var/lib/docker/100000.100000", SecurityOptions: []string{"name=userns"}}, rule.StatusPass},
		{"configured data root with a space", mountRoot + "41 26 254:16 / /srv/docker\\040data rw - xfs /dev/vdb rw\n", system.Info{DockerRootDir: "/srv/docker data"}, rule.StatusPass},
		{"empty mount table", "garbage\n", system.Info{DockerRootDir: "/var/lib/docker"}, rule.StatusSkip},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info := tc.info
			rep, err := host.Check(host.Inputs{Root: t.TempDir(), Info: &info, MountInfo: []byte(tc.mountinfo)})
			if err != nil {
				t.Fatal(err)
			}
			f := find(t, rep, host.HostDataRootMount)
			if f.Status != tc.want {
				t.Errorf("%s: %s (%s), want %s", tc.name, f.Status, f.Reason, tc.want)
			}
		})
	}
}

func TestSocketGroupMembers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown the socket")
	}
	root := t.TempDir()
	write(t, root, "etc/passwd", "root:x:0:0::/root:/bin/sh\ncarol:x:1002:4242::/:/bin/sh\n")
	write(t, root, "etc/group", "root:x:0:\ndocker:x:4242:alice,bob\nempty:x:4343:\n")
	os.MkdirAll(filepath.Join(root, "run"), 0o755)
	l, err := net.Listen("unix", filepath.Join(root, "run/docker.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sock := filepath.Join(root, "run/docker.sock")
	os.Chmod(sock, 0o660)
	os.Chown(sock, 0, 4242)
	in := host.Inputs{Root: root, Socket: "/run/docker.sock", MountInfo: []byte(mountRoot)}
	rep, _ := host.Check(in)
	f := find(t, rep, host.HostSocketGroupMembers)
	if f.Status != rule.StatusWarn || !strings.Contains(f.Reason, "alice, bob, carol") {
		t.Errorf("members: %s %q, want a warning naming alice, bob, carol (carol by primary group)", f.Status, f.Reason)
	}
	in.TrustedUsers = []string{"alice", "bob"}
	rep, _ = host.Check(in)
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusFail || !strings.Contains(f.Reason, "carol") {
		t.Errorf("untrusted: %s %q", f.Status, f.Reason)
	}
	os.Chown(sock, 0, 4343)
	rep, _ = host.Check(host.Inputs{Root: root, Socket: "/run/docker.sock"})
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusPass {
		t.Errorf("empty group: %s %q", f.Status, f.Reason)
	}
	rep, _ = host.Check(host.Inputs{Root: root, Socket: "/run/nope.sock"})
	if f := find(t, rep, host.HostSocketGroupMembers); f.Status != rule.StatusSkip {
		t.Errorf("missing socket: %s %q", f.Status, f.Reason)
	}
}

func TestEngineVersion(t *testing.T) {
	now, _ := time.Parse(time.DateOnly, host.EngineVersions.Updated)
	for v, want := range map[string]rule.Status{
		"20.10.24+dfsg1": rule.StatusFail,
		"1.12.1":         rule.StatusFail,
		"29.1.0":         rule.StatusPass,
		"29.10.1":        rule.StatusPass,
		"28.5.2":         rule.StatusFail,
		"26.1.4":         rule.StatusFail,
		"25.0.12":        rule.StatusWarn,
		"35.0.0":         rule.StatusWarn,
		"not-a-version":  rule.StatusSkip,
	} {
		rep, err := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{ServerVersion: v}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if f := find(t, rep, host.HostEngineVersion); f.Status != want {
			t.Errorf("%s: %s (%s), want %s", v, f.Status, f.Reason, want)
		}
	}
	// A stale table never says pass.
	rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{ServerVersion: "29.1.0"}, Now: now.AddDate(2, 0, 0)})
	if f := find(t, rep, host.HostEngineVersion); f.Status != rule.StatusWarn || !strings.Contains(f.Detail, "update safedock") {
		t.Errorf("stale table: %s %q", f.Status, f.Detail)
	}
	if host.EngineVersions.Updated == "" || len(host.EngineVersions.Sources) == 0 {
		t.Error("the version table must say when it was updated and from where")
	}
}

func TestKernel(t *testing.T) {
	for _, tc := range []struct {
		kernel, driver string
		id             rule.ID
		want           rule.Status
	}{
		{"3.9.0", "", host.HostKernelVersion, rule.StatusFail},
		{"3.10.0-514.el7.x86_64", "", host.HostKernelVersion, rule.StatusPass},
		{"3.18.0", "overlay2", host.HostKernelFeatures, rule.StatusFail},
		{"5.15.0", "overlay2", host.HostKernelFeatures, rule.StatusPass},
		{"", "", host.HostKernelVersion, rule.StatusSkip},
	} {
		rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{KernelVersion: tc.kernel, Driver: tc.driver}})
		if f := find(t, rep, tc.id); f.Status != tc.want {
			t.Errorf("%s %s: %s (%s), want %s", tc.kernel, tc.id, f.Status, f.Reason, tc.want)
		}
	}
}

func TestOperatingSystem(t *testing.T) {
	for osr, want := range map[string]string{
		"ID=flatcar\nNAME=\"Flatcar Container Linux by Kinvolk\"\n":       "Flatcar Container Linux",
		"ID=fedora\nVARIANT_ID=coreos\nNAME=\"Fedora Linux\"\n":           "Fedora CoreOS",
		"ID=bottlerocket\nNAME=Bottlerocket\n":                            "Bottlerocket",
		"ID=talos\nNAME=Talos\n":                                          "Talos Linux",
		"ID=photon\nNAME=\"VMware Photon OS\"\n":                          "VMware Photon OS",
		"ID=rancheros\nNAME=RancherOS\n":                                  "RancherOS",
		"ID=centos\nVARIANT_ID=atomic.host\n":                             "Project Atomic",
		"ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n":     "",
		"ID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n": "",
	} {
		if got := host.ParseOSRelease([]byte(osr)).ContainerOptimized(); got != want {
			t.Errorf("%q: %q, want %q", osr, got, want)
		}
	}
	root := t.TempDir()
	write(t, root, "usr/lib/os-release", "ID=flatcar\nPRETTY_NAME=\"Flatcar Container Linux 3975.2.0\"\n")
	rep, _ := host.Check(host.Inputs{Root: root})
	if f := find(t, rep, host.HostOperatingSystem); f.Status != rule.StatusPass {
		t.Errorf("flatcar tree: %s %q", f.Status, f.Reason)
	}
}

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

func TestAuditRules(t *testing.T) {
	root := auditTree(t)
	write(t, root, "etc/audit/rules.d/docker.rules", "## comment\n-w /usr/bin/dockerd -p rwxa -k docker\n-a always,exit -F dir=/etc/docker/ -F perm=wa -F key=docker\n")
	rep, err := host.Check(host.Inputs{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	want := map[rule.ID]rule.Status{
		host.AuditDockerd: rule.StatusPass, host.AuditDaemonJSON: rule.StatusPass, host.AuditEtcDocker: rule.StatusPass,
		host.AuditContainerd: rule.StatusFail, host.AuditRunc: rule.StatusFail, host.AuditDataRoot: rule.StatusFail,
		host.AuditDockerService: rule.StatusFail, host.AuditEtcSysconfigDocker: rule.StatusSkip, host.AuditContainerdShimRuncV1: rule.StatusSkip,
	}
	for id, st := range want {
		if f := find(t, rep, id); f.Status != st {
			t.Errorf("%s: %s (%s; %s), want %s", id, f.Status, f.Reason, f.Detail, st)
		}
	}
	if f := find(t, rep, host.AuditDataRoot); !strings.Contains(f.Target, "/srv/docker") {
		t.Errorf("data root target %s: want the configured /srv/docker", f.Target)
	}

	// Symmetry: the generated rules, loaded, make every present path pass.
	gen, err := host.AuditRules(host.Inputs{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ = host.Check(host.Inputs{Root: root, ActiveAuditRules: gen})
	for _, f := range rep.Findings {
		if strings.HasPrefix(string(f.Rule), "audit.") && f.Status == rule.StatusFail {
			t.Errorf("after generating rules, %s still fails: %s", f.Rule, f.Reason)
		}
	}
	if !bytes.Contains(gen, []byte("-w /usr/lib/systemd/system/docker.service")) && !bytes.Contains(gen, []byte("-w /lib/systemd/system/docker.service")) {
		t.Errorf("generated rules miss docker.service:\n%s", gen)
	}
	if bytes.Contains(gen, []byte("sysconfig")) {
		t.Error("generated a rule for a path that does not exist")
	}
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

func FuzzParseOSRelease(f *testing.F) {
	f.Add([]byte("ID=\"flatcar\"\nVARIANT_ID='coreos'\nNAME=\"x\\\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = host.ParseOSRelease(data).ContainerOptimized()
	})
}
