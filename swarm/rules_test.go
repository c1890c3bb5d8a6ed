package swarm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
)

// The catalog validates itself, its IDs do not collide with the container
// rules Audit applies beside them, and every check has exactly one scope.
func TestSwarmCatalogValidates(t *testing.T) {
	require.NoError(t, checks.Validate())
	require.NoError(t, Rules().Validate())
	all := append(hardening.Rules(), Rules()...)
	require.NoError(t, all.Validate(), "swarm rule IDs do not collide with container rule IDs")
	for _, r := range Rules() {
		assert.True(t, strings.HasPrefix(string(r.ID), "swarm."), r.ID)
	}
	for _, c := range checks {
		assert.Contains(t, []scope{scopeEngine, scopeSwarm, scopeNetwork, scopeService}, scopes[c.Rule.ID], "scope of %s", c.Rule.ID)
	}
	for id := range scopes {
		_, ok := checks.Lookup(id)
		assert.True(t, ok, "scope for %s, which has no check", id)
	}
	assert.Len(t, Rules(), len(checks))
}

// Rules returns a copy: changing it changes nothing Audit judges by.
func TestSwarmRulesIsACopy(t *testing.T) {
	rs := Rules()
	for i := range rs {
		rs[i].Title = "changed"
		rs[i].CIS[0] = "x"
	}
	for _, r := range Rules() {
		if r.Title == "changed" || r.CIS[0] == "x" {
			t.Fatalf("%s changed through a returned copy: %+v", r.ID, r)
		}
	}
	for _, c := range checks {
		if c.Rule.Title == "changed" {
			t.Fatalf("%s changed through a returned copy", c.Rule.ID)
		}
	}
}
