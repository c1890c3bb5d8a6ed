package daemonconf

import (
	"testing"

	"github.com/safedock/safedock/rule"
)

// The catalog validates itself, every fix belongs to a check, and the two
// rules reported from problems come first.
func TestChecksValidate(t *testing.T) {
	if err := checks.Validate(); err != nil {
		t.Fatal(err)
	}
	for id := range fixes {
		if _, ok := checks.Lookup(id); !ok {
			t.Errorf("fix for %s, which has no check", id)
		}
	}
	rs := Rules()
	if len(rs) != len(checks)+2 || rs[0].ID != DaemonValidConfig || rs[1].ID != DaemonConfigHygiene {
		t.Fatalf("Rules() = %d rules starting %v", len(rs), rs[:2])
	}
	if err := rs.Validate(); err != nil {
		t.Fatal(err)
	}
}

// Rules returns a copy: changing it changes nothing the package judges by.
func TestRulesIsACopy(t *testing.T) {
	rs := Rules()
	for i := range rs {
		rs[i].Title = "changed"
		rs[i].CIS = append(rs[i].CIS[:0:0], "x")
		if rs[i].Refs != nil {
			rs[i].Refs[rule.CIS180] = []string{"x"}
		}
	}
	for _, r := range Rules() {
		if r.Title == "changed" || len(r.CIS) == 1 && r.CIS[0] == "x" || len(r.Refs[rule.CIS180]) == 1 && r.Refs[rule.CIS180][0] == "x" {
			t.Fatalf("%s changed through a returned copy: %+v", r.ID, r)
		}
	}
}

// Oldest and Newest are values, not variables a caller could move.
func TestVersionRangeIsFixed(t *testing.T) {
	o := Oldest()
	o.Major = 1
	if Oldest() != (Version{20, 10}) || Newest().Less(Oldest()) {
		t.Fatalf("Oldest %v, Newest %v", Oldest(), Newest())
	}
}
