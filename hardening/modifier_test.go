package hardening_test

import (
	"context"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestHostConfigModifierRefusesWhatItCannotApply(t *testing.T) {
	for name, o := range map[string]hardening.Option{
		"user":       hardening.WithUser("1000:1000"),
		"non-root":   hardening.WithNonRootUser(),
		"env":        hardening.WithAddedEnv("A=1"),
		"name":       hardening.WithName("db"),
		"labels":     hardening.WithAddedLabels(map[string]string{"a": "b"}),
		"cmd":        hardening.WithCmd("serve"),
		"entrypoint": hardening.WithEntrypoint("/serve"),
		"network":    hardening.WithNetwork("isolated"),
		"waiver":     hardening.Waive(rule.ContainerReadOnlyRootfs, "writes its root"),
		"oom score":  hardening.WithHostConfig(func(hc *container.HostConfig) { hc.OomScoreAdj = 5 }),
	} {
		_, err := hardening.HostConfigModifier(o)
		require.ErrorIs(t, err, hardening.ErrModifierCannotApply, name)
	}
	_, err := hardening.HostConfigModifier(hardening.WithAddedCapabilities("SYS_PTRACE"))
	var v *rule.Violation
	require.ErrorAs(t, err, &v, "the rules are judged")
	assert.Equal(t, rule.ContainerCapabilities, v.Rule)

	mod, err := hardening.HostConfigModifier(hardening.WithMemory(64 << 20))
	require.NoError(t, err)
	hc := &container.HostConfig{Privileged: true, CapAdd: []string{"SYS_PTRACE"}, PidMode: "host"}
	mod(hc)
	assert.False(t, hc.Privileged)
	assert.Empty(t, hc.CapAdd)
	assert.Equal(t, []string{"ALL"}, hc.CapDrop)
	assert.EqualValues(t, "", hc.PidMode)
	assert.EqualValues(t, 64<<20, hc.Memory)
}

func TestModifiersApplyEverythingOrRefuse(t *testing.T) {
	mods, err := hardening.Modifiers(hardening.WithUser("1000:1000"), hardening.WithAddedEnv("A=1"), hardening.WithCmd("serve"),
		hardening.WithAddedLabels(map[string]string{"team": "db"}), hardening.Waive(rule.ContainerReadOnlyRootfs, "writes its root"),
		hardening.WithHostConfig(func(hc *container.HostConfig) { hc.ReadonlyRootfs = false }))
	require.NoError(t, err)
	cfg := &container.Config{Image: "img", Env: []string{"TOOL=1"}, Labels: map[string]string{"org.testcontainers": "true"}}
	hc := &container.HostConfig{Privileged: true, ReadonlyRootfs: true}
	mods.Config(cfg)
	mods.HostConfig(hc)
	assert.Equal(t, "1000:1000", cfg.User)
	assert.Equal(t, []string{"TOOL=1", "A=1"}, cfg.Env)
	assert.Equal(t, []string{"serve"}, []string(cfg.Cmd))
	assert.Equal(t, "db", cfg.Labels["team"])
	assert.Equal(t, "true", cfg.Labels["org.testcontainers"])
	assert.Equal(t, "writes its root", cfg.Labels[hardening.LabelWaivePrefix+string(rule.ContainerReadOnlyRootfs)])
	assert.False(t, hc.Privileged)
	assert.False(t, hc.ReadonlyRootfs)

	for name, o := range map[string]hardening.Option{
		"name":      hardening.WithName("db"),
		"network":   hardening.WithNetwork("isolated"),
		"oom score": hardening.WithHostConfig(func(hc *container.HostConfig) { hc.OomScoreAdj = 5 }),
	} {
		_, err := hardening.Modifiers(hardening.WithNonRootUser(), o)
		require.ErrorIs(t, err, hardening.ErrModifierCannotApply, name)
	}
	_, err = hardening.Modifiers()
	var v *rule.Violation
	require.ErrorAs(t, err, &v, "no user and no image facts: the user rule fails, as in Build")
	assert.Equal(t, rule.ContainerNonRootUser, v.Rule)
}

// TestVerifyJudgesTheCreatedContainer creates containers the way a tool
// would, with the modifiers applied, and judges them before they start.
func TestVerifyJudgesTheCreatedContainer(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx := context.Background()
	netName := dockertest.Name("net")
	nres, err := cli.NetworkCreate(ctx, netName, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, nres.ID)
	mods, err := hardening.Modifiers(hardening.WithNonRootUser(), hardening.WithCmd("status"))
	require.NoError(t, err)

	create := func(later func(*container.HostConfig)) string {
		cfg := &container.Config{Image: img.ID}
		hc := &container.HostConfig{NetworkMode: container.NetworkMode(netName)}
		mods.Config(cfg)
		mods.HostConfig(hc)
		if later != nil {
			later(hc)
		}
		res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc})
		require.NoError(t, err)
		dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
		return res.ID
	}
	assert.NoError(t, hardening.Verify(ctx, cli, create(nil)), "the hardened container passes every rule")

	err = hardening.Verify(ctx, cli, create(func(hc *container.HostConfig) { hc.Privileged = true }))
	require.Error(t, err, "a later modifier that sets Privileged is caught")
	assert.Contains(t, violationRules(err), rule.ContainerPrivileged)

	err = hardening.Verify(ctx, cli, create(func(hc *container.HostConfig) { hc.NetworkMode = "bridge" }))
	assert.Contains(t, violationRules(err), rule.ContainerNetworkIsolation, "the tool's network is judged: %v", err)

	writable := func(hc *container.HostConfig) { hc.ReadonlyRootfs = false }
	err = hardening.Verify(ctx, cli, create(writable))
	assert.Equal(t, []rule.ID{rule.ContainerReadOnlyRootfs}, violationRules(err), "a writable root is caught: %v", err)
	// The same container with the waiver the modifiers recorded in its labels passes.
	waived, err := hardening.Modifiers(hardening.WithNonRootUser(), hardening.WithCmd("status"),
		hardening.Waive(rule.ContainerReadOnlyRootfs, "test: writes its root"), hardening.WithHostConfig(writable))
	require.NoError(t, err)
	mods = waived
	assert.NoError(t, hardening.Verify(ctx, cli, create(nil)), "waivers from the labels are honoured, as in the audit")
}
