package host_test

import (
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestKernelFeatures(t *testing.T) {
	for _, tc := range []struct {
		kernel, driver string
		want           rule.Status
	}{
		{"3.18.0", "overlay2", rule.StatusFail},
		{"5.15.0", "overlay2", rule.StatusPass},
	} {
		rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{KernelVersion: tc.kernel, Driver: tc.driver}})
		if f := find(t, rep, host.HostKernelFeatures); f.Status != tc.want {
			t.Errorf("%s %s: %s (%s), want %s", tc.kernel, host.HostKernelFeatures, f.Status, f.Reason, tc.want)
		}
	}
}
