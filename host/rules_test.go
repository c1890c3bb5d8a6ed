package host

import "testing"

func TestChecksValidate(t *testing.T) {
	if err := hostChecks.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := auditChecks.Validate(); err != nil {
		t.Fatal(err)
	}
	rs := Rules()
	if err := rs.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(hostChecks)+len(auditChecks) {
		t.Fatalf("%d rules, want %d host and %d audit rules", len(rs), len(hostChecks), len(auditChecks))
	}
}

// Rules and EngineVersions return copies: changing them changes nothing
// Check judges by.
func TestRulesAndEngineVersionsAreCopies(t *testing.T) {
	rs := Rules()
	for i := range rs {
		rs[i].Title = "changed"
		if len(rs[i].CIS) > 0 {
			rs[i].CIS[0] = "x"
		}
	}
	for _, r := range Rules() {
		if r.Title == "changed" || len(r.CIS) > 0 && r.CIS[0] == "x" {
			t.Fatalf("%s changed through a returned copy", r.ID)
		}
	}
	v := EngineVersions()
	want := v.Series[0]
	v.Updated = "1970-01-01"
	v.Sources[0] = "changed"
	v.Series[0].Status = Unmaintained
	v2 := EngineVersions()
	if v2.Updated == "1970-01-01" || v2.Sources[0] == "changed" || v2.Series[0] != want {
		t.Fatalf("the table changed through a returned copy: %+v", v2)
	}
}
