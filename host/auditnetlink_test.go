//go:build linux

package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kernel's rules read over the audit netlink socket are the rules
// `auditctl -l` prints: with a file watch and a directory watch loaded
// (unique keys, deleted after), both sources parse to the same watches.
func TestNetlinkAuditRulesAgreeWithAuditctl(t *testing.T) {
	if _, err := exec.LookPath("auditctl"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and auditctl")
	}
	ctx := context.Background()
	if _, err := auditctlRules(ctx); err != nil {
		t.Skipf("the kernel's audit subsystem does not answer here: %v", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "watched")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	key := fmt.Sprintf("safedock-test-%d", time.Now().UnixNano())
	for _, args := range [][]string{
		{"-w", file, "-p", "wa", "-k", key},
		{"-a", "always,exit", "-F", "dir=" + dir, "-F", "perm=rwxa", "-k", key + "-dir"},
		{"-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-F", "dir=" + dir, "-F", "auid>=1000", "-k", key + "-sys"},
	} {
		out, err := exec.Command("auditctl", args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	t.Cleanup(func() {
		_ = exec.Command("auditctl", "-W", file, "-p", "wa", "-k", key).Run()
		_ = exec.Command("auditctl", "-d", "always,exit", "-F", "dir="+dir, "-F", "perm=rwxa", "-k", key+"-dir").Run()
		_ = exec.Command("auditctl", "-d", "always,exit", "-F", "arch=b64", "-S", "openat", "-F", "dir="+dir, "-F", "auid>=1000", "-k", key+"-sys").Run()
	})

	fromNetlink, err := netlinkAuditRules(ctx)
	require.NoError(t, err)
	fromAuditctl, err := auditctlRules(ctx)
	require.NoError(t, err)
	t.Logf("netlink:\n%s\nauditctl -l:\n%s", fromNetlink, fromAuditctl)
	assert.ElementsMatch(t, ParseAuditRules(fromAuditctl), ParseAuditRules(fromNetlink))
	var ours []Watch
	for _, w := range ParseAuditRules(fromNetlink) {
		if w.Key == key || w.Key == key+"-dir" || w.Key == key+"-sys" {
			ours = append(ours, w)
		}
	}
	assert.ElementsMatch(t, []Watch{{Path: file, Perms: "wa", Key: key}, {Path: dir, Perms: "rwxa", Key: key + "-dir"}, {Path: dir, Dir: true, Key: key + "-sys"}}, ours)
}

func TestAuditRuleLineRefusesMalformedRules(t *testing.T) {
	_, err := auditRuleLine(make([]byte, 10))
	assert.Error(t, err)
	d := make([]byte, auditRuleHeader)
	d[8] = 200 // field_count beyond AUDIT_MAX_FIELDS
	_, err = auditRuleLine(d)
	assert.Error(t, err)
	assert.Equal(t, "rwxa", auditPerms(15))
	assert.Equal(t, "wa", auditPerms(10))
}

// A rule the kernel sends never makes the renderer panic or read past it.
func FuzzAuditRuleLine(f *testing.F) {
	f.Add(make([]byte, auditRuleHeader))
	f.Add(make([]byte, auditRuleHeader+8))
	f.Fuzz(func(t *testing.T, d []byte) {
		_, _ = auditRuleLine(d)
	})
}
