package hardening

import (
	"errors"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/system"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// A rootless daemon without cgroup delegation would discard the limits:
// each one is a named violation, waivable; a rootful daemon, or a rootless
// one with a cgroup driver, is not judged here.
func TestLimitsTakeEffectOnRootless(t *testing.T) {
	pids := int64(64)
	sp := &Spec{HostConfig: &container.HostConfig{Resources: container.Resources{Memory: 64 << 20, PidsLimit: &pids, CPUShares: 512}}, Waivers: rule.Waivers{}}
	rootless := system.Info{SecurityOptions: []string{"name=seccomp,profile=default", "name=rootless"}, CgroupDriver: "none", CgroupVersion: "1"}

	err := sp.limitsTakeEffect(rootless)
	require.Error(t, err)
	var v *rule.Violation
	require.True(t, errors.As(err, &v))
	for _, id := range []rule.ID{rule.ContainerMemoryLimit, rule.ContainerPidsLimit, rule.ContainerCPUShares} {
		assert.Contains(t, err.Error(), string(id))
	}
	assert.Contains(t, err.Error(), "Waive(")

	require.NoError(t, sp.Waivers.Waive(rule.ContainerMemoryLimit, "cgroup v1"))
	require.NoError(t, sp.Waivers.Waive(rule.ContainerPidsLimit, "cgroup v1"))
	err = sp.limitsTakeEffect(rootless)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), string(rule.ContainerMemoryLimit), "waived by name")
	require.NoError(t, sp.Waivers.Waive(rule.ContainerCPUShares, "cgroup v1"))
	assert.NoError(t, sp.limitsTakeEffect(rootless))

	sp.Waivers = rule.Waivers{}
	delegated := rootless
	delegated.CgroupDriver, delegated.CgroupVersion = "systemd", "2"
	assert.NoError(t, sp.limitsTakeEffect(delegated))
	assert.NoError(t, sp.limitsTakeEffect(system.Info{SecurityOptions: []string{"name=seccomp,profile=default"}, CgroupDriver: "none"}), "rootful: not this check")
}
