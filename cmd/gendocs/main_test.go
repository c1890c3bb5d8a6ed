package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRulesDocUpToDate fails when docs/rules.md is not what the catalogs
// generate now.
func TestRulesDocUpToDate(t *testing.T) {
	want, err := render()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: run `go generate ./...` at the module root", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/rules.md is stale: run `go generate ./...` at the module root and commit the result\n%s", firstDiff(got, want))
	}
}

// TestRenderIsDeterministic renders twice: map iteration must not leak into
// the document.
func TestRenderIsDeterministic(t *testing.T) {
	a, err := render()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("two renderings differ\n%s", firstDiff(a, b))
		}
	}
}

// TestEveryRuleListedOnce checks the document names each catalog rule in
// exactly one table row, and says what checks it.
func TestEveryRuleListedOnce(t *testing.T) {
	rows, err := collect()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := render()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if n := strings.Count(string(doc), "| `"+string(r.rule.ID)+"` |"); n != 1 {
			t.Errorf("%s appears in %d rows", r.rule.ID, n)
		}
		if len(r.checkedBy) == 0 {
			t.Errorf("%s: nothing checks it", r.rule.ID)
		}
	}
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "first difference at line " + strconv.Itoa(i+1) + ":\n  file:      " + gl + "\n  generated: " + wl
		}
	}
	return ""
}
