package hardening

import (
	"fmt"

	"github.com/moby/moby/api/types/container"
)

// HostConfigModifier returns a function that hardens a HostConfig in place,
// for tools that build containers themselves, such as testcontainers-go:
//
//	mod, err := hardening.HostConfigModifier(hardening.WithMemory(256 << 20))
//	...
//	testcontainers.WithHostConfigModifier(mod)
//
// The options are checked once, here, so the returned function (which cannot
// return an error) only applies a spec that passed every rule. It overwrites
// the security-relevant fields (capabilities, read-only root, security
// options, limits, restart and log policy, tmpfs, binds, port bindings) and
// keeps the others the tool set (network, links, ...). The container's user
// lives in container.Config, not HostConfig: set it in the tool (or use Run).
func HostConfigModifier(opts ...Option) (func(*container.HostConfig), error) {
	// The user and network are the tool's business here: the modifier only
	// sees the HostConfig, so pin neutral facts for the rules that need them.
	all := append([]Option{WithNonRootUser()}, opts...)
	sp, err := Build("sha256:"+zeros64, all...)
	if err != nil {
		return nil, fmt.Errorf("hardening modifier: %w", err)
	}
	return func(hc *container.HostConfig) {
		c := sp.Clone().HostConfig
		hc.CapDrop, hc.CapAdd = c.CapDrop, c.CapAdd
		hc.Privileged = c.Privileged
		hc.ReadonlyRootfs = c.ReadonlyRootfs
		hc.SecurityOpt = c.SecurityOpt
		hc.Resources.Memory = c.Memory
		hc.Resources.CPUShares = c.CPUShares
		hc.Resources.PidsLimit = c.PidsLimit
		hc.Resources.Devices = nil
		hc.RestartPolicy = c.RestartPolicy
		hc.LogConfig = c.LogConfig
		hc.Tmpfs = c.Tmpfs
		hc.Binds = c.Binds
		hc.IpcMode, hc.PidMode, hc.UTSMode, hc.UsernsMode = c.IpcMode, c.PidMode, c.UTSMode, c.UsernsMode
		if len(c.PortBindings) > 0 {
			hc.PortBindings = c.PortBindings
		}
		if hc.AutoRemove && hc.RestartPolicy.Name != container.RestartPolicyDisabled {
			// The daemon refuses both together; keep the tool's auto-remove
			// and drop the restart (an ephemeral test container).
			hc.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyDisabled}
		}
	}, nil
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"
