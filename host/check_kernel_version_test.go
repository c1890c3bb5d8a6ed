package host_test

import (
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestKernelVersion(t *testing.T) {
	for _, tc := range []struct {
		kernel, driver string
		want           rule.Status
	}{
		{"3.9.0", "", rule.StatusFail},
		{"3.10.0-514.el7.x86_64", "", rule.StatusPass},
		{"", "", rule.StatusSkip},
	} {
		rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{KernelVersion: tc.kernel, Driver: tc.driver}})
		if f := find(t, rep, host.HostKernelVersion); f.Status != tc.want {
			t.Errorf("%s %s: %s (%s), want %s", tc.kernel, host.HostKernelVersion, f.Status, f.Reason, tc.want)
		}
	}
}
