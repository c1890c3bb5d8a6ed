package host_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

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

// podmanTree is a Podman host: Podman's binary, configuration, storage and
// units, runc (Podman's runtime too), and none of dockerd's files.
func podmanTree(t *testing.T) string {
	root := t.TempDir()
	write(t, root, "usr/bin/podman", "")
	write(t, root, "usr/bin/runc", "")
	write(t, root, "etc/containers/containers.conf", "[engine]\n")
	write(t, root, "var/lib/containers/storage/.keep", "")
	write(t, root, "lib/systemd/system/podman.service", "")
	write(t, root, "lib/systemd/system/podman.socket", "")
	write(t, root, "run/safedock-podman/podman.sock", "")
	return root
}

func TestAuditRulesOnAPodmanHost(t *testing.T) {
	root := podmanTree(t)
	write(t, root, "etc/audit/rules.d/podman.rules", "-w /usr/bin/podman -p rwxa -k podman\n-w /etc/containers -p wa -k podman\n")
	rep, err := host.Check(host.Inputs{Root: root, Podman: true, Socket: "/run/safedock-podman/podman.sock"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[rule.ID]rule.Status{
		// Podman's own files: judged.
		host.AuditPodman: rule.StatusPass, host.AuditEtcContainers: rule.StatusPass, host.AuditContainersConf: rule.StatusPass,
		host.AuditVarLibContainers: rule.StatusFail, host.AuditPodmanSock: rule.StatusFail,
		host.AuditPodmanService: rule.StatusFail, host.AuditPodmanSocketUnit: rule.StatusFail,
		// A binary Podman runs too, present: still judged.
		host.AuditRunc: rule.StatusFail,
	}
	for id, st := range want {
		if f := find(t, rep, id); f.Status != st {
			t.Errorf("%s: %s (%s; %s), want %s", id, f.Status, f.Reason, f.Detail, st)
		}
	}
	if f := find(t, rep, host.AuditPodmanSock); f.Target != "audit:/run/safedock-podman/podman.sock" {
		t.Errorf("podman socket target %s: want the client's socket", f.Target)
	}
	// dockerd's targets, absent on a Podman host: not applicable, never
	// passed (and never a bare "not present").
	for _, id := range []rule.ID{host.AuditDockerd, host.AuditDataRoot, host.AuditEtcDocker, host.AuditDockerService, host.AuditDaemonJSON,
		host.AuditDockerSocketUnit, host.AuditContainerd, host.AuditContainerdSock, host.AuditEtcDefaultDocker} {
		f := find(t, rep, id)
		if f.Status != rule.StatusSkip || !strings.HasPrefix(f.Reason, "not applicable to Podman: ") {
			t.Errorf("%s on a Podman host: %s %q, want a skip \"not applicable to Podman: …\"", id, f.Status, f.Reason)
		}
	}
	// Every Podman rule has its metadata and no CIS control.
	cat := host.Rules()
	for id := range want {
		if id == host.AuditRunc {
			continue
		}
		r, ok := cat.Lookup(id)
		if !ok {
			t.Fatalf("%s not in the catalog", id)
		}
		if r.Rationale == "" || r.Remediation == "" || len(r.CIS) != 0 || r.Refs == nil {
			t.Errorf("%s: rationale %q remediation %q CIS %v refs %v: want both texts and no CIS control", id, r.Rationale, r.Remediation, r.CIS, r.Refs)
		}
	}

	// Symmetry: the generated rules, loaded, make every present Podman path pass.
	gen, err := host.AuditRules(host.Inputs{Root: root, Podman: true, Socket: "/run/safedock-podman/podman.sock"})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ = host.Check(host.Inputs{Root: root, Podman: true, Socket: "/run/safedock-podman/podman.sock", ActiveAuditRules: gen})
	for _, f := range rep.Findings {
		if strings.HasPrefix(string(f.Rule), "audit.") && f.Status != rule.StatusPass && f.Status != rule.StatusSkip {
			t.Errorf("after generating rules, %s still %s: %s", f.Rule, f.Status, f.Reason)
		}
	}
	if !bytes.Contains(gen, []byte("-w /lib/systemd/system/podman.socket")) || bytes.Contains(gen, []byte("dockerd")) {
		t.Errorf("generated rules for a Podman host:\n%s", gen)
	}

	// A Docker host is judged as before: no Podman rule.
	rep, _ = host.Check(host.Inputs{Root: auditTree(t)})
	for _, f := range rep.Findings {
		if _, podman := want[f.Rule]; podman && f.Rule != host.AuditRunc {
			t.Errorf("Docker host judged by %s", f.Rule)
		}
		if strings.HasPrefix(f.Reason, "not applicable to Podman") {
			t.Errorf("Docker host: %s %s", f.Rule, f.Reason)
		}
	}
}
