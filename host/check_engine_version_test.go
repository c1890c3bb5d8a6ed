package host_test

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestEngineVersion(t *testing.T) {
	now, _ := time.Parse(time.DateOnly, host.EngineVersions().Updated)
	for v, want := range map[string]rule.Status{
		"20.10.24+dfsg1": rule.StatusFail,
		"1.12.1":         rule.StatusFail,
		"29.1.0":         rule.StatusPass,
		"29.10.1":        rule.StatusPass,
		"28.5.2":         rule.StatusFail,
		"26.1.4":         rule.StatusFail,
		"25.0.12":        rule.StatusWarn,
		"35.0.0":         rule.StatusWarn,
		"not-a-version":  rule.StatusSkip,
	} {
		rep, err := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{ServerVersion: v}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if f := find(t, rep, host.HostEngineVersion); f.Status != want {
			t.Errorf("%s: %s (%s), want %s", v, f.Status, f.Reason, want)
		}
	}
	// A stale table never says pass.
	rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{ServerVersion: "29.1.0"}, Now: now.AddDate(2, 0, 0)})
	if f := find(t, rep, host.HostEngineVersion); f.Status != rule.StatusWarn || !strings.Contains(f.Detail, "update safedock") {
		t.Errorf("stale table: %s %q", f.Status, f.Detail)
	}
	if host.EngineVersions().Updated == "" || len(host.EngineVersions().Sources) == 0 {
		t.Error("the version table must say when it was updated and from where")
	}
}
