package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// TestEveryRuleHasReferencesPerBenchmark is the catalog self-validation of
// CIS references across every catalog (hardening, runspec, daemonconf,
// perms, host, images, swarm): each rule has a reference in each benchmark
// version or an explicit none, and known anchors have the numbers the
// public sources give.
func TestEveryRuleHasReferencesPerBenchmark(t *testing.T) {
	rows, err := collect()
	require.NoError(t, err)
	var all rule.Catalog
	seen := map[rule.ID]bool{}
	for _, r := range rows {
		all = append(all, r.rule)
		seen[r.rule.ID] = true
	}
	require.NoError(t, all.CheckReferences())
	for _, id := range rule.NotInBenchmarkIDs() {
		assert.True(t, seen[id], "NotInBenchmark names %s, which no catalog declares", id)
	}
	byID := map[rule.ID]rule.Rule{}
	for _, r := range all {
		byID[r.ID] = r
	}
	anchors := []struct {
		id               rule.ID
		v160, v170, v180 []string
	}{
		{"daemon.no-new-privileges", []string{"2.14"}, []string{"2.14"}, []string{"2.15"}},
		{"daemon.devicemapper", []string{}, []string{}, []string{"2.7"}},
		{"daemon.tls", []string{"2.7"}, []string{"2.7"}, []string{"2.8"}},
		{"daemon.storage-driver", []string{"2.6"}, []string{"2.6"}, []string{"2.6"}},
		{"daemon.remote-logging", []string{"2.13"}, []string{"2.13"}, []string{"2.14"}},
		{"daemon.live-restore", []string{"2.15"}, []string{"2.15"}, []string{"2.16"}},
		{"daemon.experimental", []string{"2.18"}, []string{"2.18"}, []string{"2.19"}},
		{"daemon.legacy-registry", []string{}, []string{}, []string{}},
		{"container.no-new-privileges", []string{"5.26"}, []string{"5.26"}, []string{"5.26"}},
		{"container.docker-socket", []string{"5.32"}, []string{"5.32"}, []string{"5.32"}},
		{"file.containerd-sock.mode", []string{"3.24"}, []string{"3.24"}, []string{"3.24"}},
		{"audit.runc", []string{"1.1.18"}, []string{"1.1.18"}, []string{"1.1.18"}},
		{"swarm.node-cert-expiry", []string{"7.7"}, []string{"7.7"}, []string{"7.7"}},
	}
	for _, a := range anchors {
		r, ok := byID[a.id]
		if !assert.True(t, ok, "no rule %s", a.id) {
			continue
		}
		assert.Equal(t, a.v160, r.References(rule.CIS160), "%s in 1.6.0", a.id)
		assert.Equal(t, a.v170, r.References(rule.CIS170), "%s in 1.7.0", a.id)
		assert.Equal(t, a.v180, r.References(rule.CIS180), "%s in 1.8.0", a.id)
	}
}
