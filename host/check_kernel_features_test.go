package host_test

import (
	"testing"

	"github.com/moby/moby/api/types/system"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/rule"
)

func TestKernel(t *testing.T) {
	for _, tc := range []struct {
		kernel, driver string
		id             rule.ID
		want           rule.Status
	}{
		{"3.9.0", "", host.HostKernelVersion, rule.StatusFail},
		{"3.10.0-514.el7.x86_64", "", host.HostKernelVersion, rule.StatusPass},
		{"3.18.0", "overlay2", host.HostKernelFeatures, rule.StatusFail},
		{"5.15.0", "overlay2", host.HostKernelFeatures, rule.StatusPass},
		{"", "", host.HostKernelVersion, rule.StatusSkip},
	} {
		rep, _ := host.Check(host.Inputs{Root: t.TempDir(), Info: &system.Info{KernelVersion: tc.kernel, Driver: tc.driver}})
		if f := find(t, rep, tc.id); f.Status != tc.want {
			t.Errorf("%s %s: %s (%s), want %s", tc.kernel, tc.id, f.Status, f.Reason, tc.want)
		}
	}
}
