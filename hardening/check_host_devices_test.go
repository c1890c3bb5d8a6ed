package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHostDevices(t *testing.T) {
	judgeCases(t, checkHostDevices, []judgeCase{
		{"none", nil, rule.StatusPass},
		{"a device", hc(func(hc *container.HostConfig) {
			hc.Devices = []container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}}
		}), rule.StatusFail},
		{"a device cgroup rule", hc(func(hc *container.HostConfig) { hc.DeviceCgroupRules = []string{"c 1:3 mr"} }), rule.StatusFail},
		{"a device request", hc(func(hc *container.HostConfig) {
			hc.DeviceRequests = []container.DeviceRequest{{Driver: "nvidia", Count: -1}}
		}), rule.StatusFail},
	})
}
