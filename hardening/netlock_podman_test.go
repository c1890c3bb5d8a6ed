package hardening

import (
	"context"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// versionOnly answers /version like the engine it stands for.
type versionOnly struct{ components []system.ComponentVersion }

func (v versionOnly) ServerVersion(context.Context, client.ServerVersionOptions) (client.ServerVersionResult, error) {
	return client.ServerVersionResult{Components: v.components}, nil
}

func TestNetworkIsolationPerEngine(t *testing.T) {
	ctx := context.Background()
	dockerd := versionOnly{[]system.ComponentVersion{{Name: "Engine", Version: "28.5.1"}}}
	podman := versionOnly{[]system.ComponentVersion{{Name: "Podman Engine", Version: "4.3.1"}, {Name: "Conmon"}}}
	off := network.Summary{Network: network.Network{ID: "0123456789abcdef", Options: map[string]string{ICCOption: "false"}}}
	on := network.Summary{Network: network.Network{ID: "0123456789abcdef", Options: map[string]string{ICCOption: "true"}}}
	unset := network.Summary{Network: network.Network{ID: "0123456789abcdef", Options: map[string]string{}}}

	assert.Nil(t, networkIsolation(ctx, dockerd, "n", off), "dockerd: ICC off passes")
	for _, n := range []network.Summary{on, unset} {
		v := networkIsolation(ctx, dockerd, "n", n)
		require.NotNil(t, v, "dockerd: a network with ICC on is refused (fail-closed)")
		assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
		assert.Contains(t, v.Reason, "exists with inter-container traffic enabled")
	}
	v := networkIsolation(ctx, podman, "n", unset)
	require.NotNil(t, v, "Podman: no bridge network isolates its containers")
	assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
	assert.Equal(t, `Podman Engine 4.3.1 cannot disable traffic between containers on network "n"`, v.Reason)
	// A client that cannot ask /version is judged as dockerd.
	v = networkIsolation(ctx, struct{}{}, "n", unset)
	require.NotNil(t, v)
	assert.Contains(t, v.Reason, "exists with inter-container traffic enabled")
}
