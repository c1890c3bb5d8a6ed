package perms_test

import (
	"strings"
	"testing"

	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

// TestCatalogValid: every class has a complete spec and its two rules, one
// CIS control each; every file rule has a spec.
func TestCatalogValid(t *testing.T) {
	if err := perms.Rules().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range perms.Specs() {
		for _, id := range []rule.ID{s.Class.OwnerRule(), s.Class.ModeRule()} {
			r, ok := perms.Rules().Lookup(id)
			if !ok {
				t.Errorf("spec for %s has no rule %s in the catalog", s.Class, id)
			}
			if len(r.CIS) > 1 {
				t.Errorf("%s cites %v: one CIS control per rule", id, r.CIS)
			}
		}
		if s.Owner == "" || len(s.Groups) == 0 || s.Kind == 0 {
			t.Errorf("spec for %s is incomplete: %+v", s.Class, s)
		}
	}
	for _, r := range perms.Rules() {
		if r.ID == perms.FileConfigurationReadable {
			continue
		}
		if _, ok := perms.SpecFor(r.ID); !ok {
			t.Errorf("rule %s has no spec", r.ID)
		}
		if !strings.HasPrefix(string(r.ID), "file.") {
			t.Errorf("rule %s: want the file. area", r.ID)
		}
	}
}
