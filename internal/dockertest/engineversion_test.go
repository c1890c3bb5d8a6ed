package dockertest

import (
	"strings"
	"testing"
)

func TestParseDockerdVersion(t *testing.T) {
	for in, want := range map[string]string{
		"Docker version 20.10.24+dfsg1, build 5d6db84\n":                              "20.10.24+dfsg1",
		"Docker version 28.5.2+dfsg4, build 3ef3c07c883be49a2e8097bcf6d2952fce1d70eb": "28.5.2+dfsg4",
	} {
		got, err := parseDockerdVersion(in)
		if err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseDockerdVersion("dockerd: command not found"); err == nil {
		t.Error("garbage parsed")
	}
}

// TestEngineVersionOfThrowawayDaemons: the version is the one of the
// dockerd throwaway daemons run (the modern engine's under the prefix).
func TestEngineVersionOfThrowawayDaemons(t *testing.T) {
	v := EngineVersion(t)
	if !strings.Contains(v, ".") {
		t.Fatalf("engine version %q", v)
	}
	t.Logf("throwaway daemons run dockerd %s", v)
}
