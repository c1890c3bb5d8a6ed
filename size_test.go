package safedock_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// No package holds more than a fifth of the module's non-test Go lines: a
// package that grows past it is doing two packages' work (hardening once
// held the builder, the launcher, the audits, a /proc lister, an HTTP
// inspector and all of Swarm).
func TestNoPackageHoldsMoreThanAFifth(t *testing.T) {
	lines := map[string]int{}
	total := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || d.Name() == "kube" || d.Name() == "tctest") {
				return filepath.SkipDir // kube/ and tctest/ are modules of their own
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n := bytes.Count(b, []byte("\n"))
		lines[filepath.Dir(path)] += n
		total += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range lines {
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return lines[pkgs[i]] > lines[pkgs[j]] })
	for _, p := range pkgs[:min(3, len(pkgs))] {
		t.Logf("%s: %d of %d non-test lines (%.1f%%)", p, lines[p], total, 100*float64(lines[p])/float64(total))
	}
	for _, p := range pkgs {
		if lines[p]*5 > total {
			t.Errorf("%s holds %d of the module's %d non-test lines, more than a fifth: split it", p, lines[p], total)
		}
	}
}
