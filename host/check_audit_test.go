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
