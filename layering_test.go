package safedock_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the import path every package of this module starts with.
const module = "github.com/safedock/safedock"

// Floors of docs/architecture.md, bottom up. A package may import only the
// floors its own floor lists (and, for the test kit, its own floor); the
// siblings on one floor never import each other.
const (
	floorRule     = "rule"
	floorPolicy   = "policy"
	floorPlumbing = "internal plumbing" // internal/hostfs, internal/inspect
	floorTestKit  = "internal test kit" // internal/dockertest, internal/probe, internal/sariftest
	floorSection  = "section"           // hardening, runspec, daemonconf, podmanconf, perms, host, report
	floorSwarm    = "swarm"
	floorRoot     = "module root"
	floorAuthz    = "authz"
	floorCommand  = "command" // cmd/..., examples/..., bench/...
)

// floorOf places a package (its path inside the module) on its floor; ""
// for a package the picture does not know.
func floorOf(pkg string) string {
	switch pkg {
	case "rule":
		return floorRule
	case "policy":
		return floorPolicy
	case "internal/hostfs", "internal/inspect":
		return floorPlumbing
	case "internal/dockertest", "internal/probe", "internal/sariftest":
		return floorTestKit
	case "hardening", "runspec", "daemonconf", "podmanconf", "perms", "host", "report":
		return floorSection
	case "swarm":
		return floorSwarm
	case "":
		return floorRoot
	case "authz":
		return floorAuthz
	}
	for _, top := range []string{"cmd/", "examples/", "bench/"} {
		if strings.HasPrefix(pkg, top) {
			return floorCommand
		}
	}
	return ""
}

// mayImport lists, for each floor, the floors its packages may import.
// swarm may import hardening by name (its profile is built on hardening's
// Options), not the other sections.
var mayImport = map[string][]string{
	floorRule:     nil,
	floorPolicy:   {floorRule},
	floorPlumbing: {floorRule, floorPlumbing},
	floorTestKit:  {floorRule, floorPlumbing, floorTestKit},
	floorSection:  {floorRule, floorPolicy, floorPlumbing},
	floorSwarm:    {floorRule, floorPolicy, floorPlumbing},
	floorRoot:     {floorRule, floorPolicy, floorPlumbing, floorSection, floorSwarm},
	floorAuthz:    {floorRule, floorPolicy, floorPlumbing, floorSection, floorSwarm, floorRoot},
	floorCommand:  {floorRule, floorPolicy, floorPlumbing, floorSection, floorSwarm, floorRoot, floorAuthz, floorCommand},
}

// TestLayering checks every package's (non-test) imports against the
// picture in docs/architecture.md: arrows point down only. The test kit is
// imported by no production package; internal/ imports nothing public.
func TestLayering(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	inModule := func(p string) (string, bool) {
		if p == module {
			return "", true
		}
		rel, ok := strings.CutPrefix(p, module+"/")
		return rel, ok
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := inModule(fields[0])
		if !ok {
			continue
		}
		seen++
		name := orRoot(pkg)
		floor := floorOf(pkg)
		if floor == "" {
			t.Errorf("%s is on no floor of docs/architecture.md: draw it there and add it to floorOf", name)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ok := inModule(imp)
			if !ok {
				continue
			}
			depFloor := floorOf(dep)
			allowed := slices.Contains(mayImport[floor], depFloor)
			if floor == floorSwarm && dep == "hardening" {
				allowed = true
			}
			if !allowed {
				t.Errorf("%s (%s) imports %s (%s): not allowed by docs/architecture.md", name, floor, orRoot(dep), depFloor)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list named only %d packages of %s:\n%s", seen, module, out)
	}
}

// orRoot names the module root in messages.
func orRoot(s string) string {
	if s == "" {
		return "safedock (module root)"
	}
	return s
}
