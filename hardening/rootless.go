package hardening

import (
	"errors"
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/system"

	"github.com/safedock/safedock/rule"
)

// limitsTakeEffect refuses a spec whose resource limits the daemon would
// accept and then not enforce: a rootless dockerd without cgroup v2
// delegation (/info CgroupDriver "none") creates the container with its
// memory, pids and CPU limits recorded and discards them. Each such limit
// is a *rule.Violation of its rule, unless the caller waived that rule.
func (sp *Spec) limitsTakeEffect(info system.Info) error {
	if !slices.Contains(info.SecurityOptions, "name=rootless") || info.CgroupDriver != "none" {
		return nil
	}
	hc := sp.HostConfig
	detail := fmt.Sprintf("/info: rootless, cgroup driver none (cgroup v%s without delegation to the daemon's user)", info.CgroupVersion)
	var errs []error
	check := func(id rule.ID, set bool, what string) {
		if _, waived := sp.Waivers[id]; !set || waived {
			return
		}
		errs = append(errs, &rule.Violation{Rule: id, Reason: "the rootless daemon would not enforce " + what, Detail: detail,
			Fix: "Run the rootless daemon on cgroup v2 with the cpu, memory and pids controllers delegated to its user (systemd: Delegate=yes for user@.service), " +
				"or accept an unlimited container: Waive(\"" + string(id) + "\", reason)."})
	}
	check(rule.ContainerMemoryLimit, hc.Memory > 0, "the memory limit")
	check(rule.ContainerPidsLimit, hc.PidsLimit != nil && *hc.PidsLimit > 0, "the pids limit")
	check(rule.ContainerCPUShares, hc.CPUShares > 0 || hc.NanoCPUs > 0 || hc.CPUQuota > 0, "the CPU limit")
	if len(errs) > 0 {
		return fmt.Errorf("rootless daemon cannot apply the container's resource limits: %w", errors.Join(errs...))
	}
	return nil
}
