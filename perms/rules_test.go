package perms

import "testing"

func TestChecksValidate(t *testing.T) {
	if err := fileChecks.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := daemonChecks.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := Rules().Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(Rules()), 2*len(specs)+1; got != want {
		t.Fatalf("%d rules, want an owner and a mode rule per spec and %s: %d", got, FileConfigurationReadable, want)
	}
}

// Rules and Specs return copies: changing them changes nothing Check or
// Fix judge by.
func TestRulesAndSpecsAreCopies(t *testing.T) {
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
	ss := Specs()
	for i := range ss {
		ss[i].MaxPerm = 0o777
		ss[i].Groups[0] = "everyone"
	}
	for _, s := range Specs() {
		if s.MaxPerm == 0o777 || s.Groups[0] == "everyone" {
			t.Fatalf("spec %s changed through a returned copy: %+v", s.Class, s)
		}
	}
	s, _ := SpecOf(DockerSock)
	s.Groups[0] = "everyone"
	if s2, _ := SpecOf(DockerSock); s2.Groups[0] == "everyone" {
		t.Fatal("SpecOf returned the catalog's own Groups")
	}
}
