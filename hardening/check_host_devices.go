package hardening

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkHostDevices binds container.host-devices to its judge. The builder
// exposes no device by default.
var checkHostDevices = rule.Bind(containerRules, rule.ContainerHostDevices, judgeHostDevices)

// judgeHostDevices judges container.host-devices: no device mappings,
// device cgroup rules or device requests.
func judgeHostDevices(s *Subject) rule.Result {
	hc := s.HostConfig
	var devs []string
	for _, d := range hc.Devices {
		devs = append(devs, fmt.Sprintf("%s:%s:%s", d.PathOnHost, d.PathInContainer, d.CgroupPermissions))
	}
	if len(devs) > 0 {
		return rule.Fail("host devices exposed", "HostConfig.Devices="+strings.Join(devs, ","))
	}
	if len(hc.DeviceCgroupRules) > 0 {
		return rule.Fail("device cgroup rules widen device access", fmt.Sprintf("HostConfig.DeviceCgroupRules=%v", hc.DeviceCgroupRules))
	}
	if len(hc.DeviceRequests) > 0 {
		return rule.Fail("device requests expose host devices", fmt.Sprintf("HostConfig.DeviceRequests: %d", len(hc.DeviceRequests)))
	}
	return rule.Pass("no host devices", "")
}
