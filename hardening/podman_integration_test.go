package hardening_test

import (
	"context"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// podmanICC waives the network rule on Podman, which cannot disable
// traffic between the containers on one network (see
// TestPodmanRefusesABridgeNetworkItCannotIsolate).
var podmanICC = hardening.Waive(rule.ContainerNetworkIsolation, "Podman 4.3 cannot disable inter-container traffic on a network")

func TestPodmanLaunchIsHardenedInTheKernel(t *testing.T) {
	cli := dockertest.Podman(t)
	assertLaunchIsHardenedInTheKernel(t, cli, podmanICC)
}

func TestPodmanRefusesABridgeNetworkItCannotIsolate(t *testing.T) {
	cli := dockertest.Podman(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	_, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser())
	var v *rule.Violation
	require.ErrorAs(t, err, &v, "Podman's bridge networks never disable inter-container traffic")
	assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
	assert.Contains(t, v.Reason, "Podman Engine")
	assert.Contains(t, v.Reason, "cannot disable traffic between containers")
	assert.NotContains(t, v.Reason, "exists with inter-container traffic enabled", "the reason is Podman's, not a network someone opened")
	assert.Contains(t, v.Fix, `network "none"`)
}

func TestPodmanSecondLaunchOnTheSameNetwork(t *testing.T) {
	cli := dockertest.Podman(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	first := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("listen", "8080"), podmanICC)
	waitForLog(t, first, "listening")
	second := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("connect", containerIP(t, cli, first.ID, netName)+":8080"),
		hardening.WithRestartPolicy("no", 0), podmanICC)
	assert.Equal(t, first.NetworkID, second.NetworkID, "the second launch joins the network the first created")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := second.Wait(ctx)
	require.NoError(t, err)
	// What the waiver accepts, measured: Podman lets the containers on
	// one network reach each other.
	assert.EqualValues(t, 0, code, "on Podman the second container reaches the first: %s", output(t, second))

	res, err := cli.ContainerInspect(context.Background(), second.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	assert.Equal(t, "Podman 4.3 cannot disable inter-container traffic on a network", res.Container.Config.Labels[hardening.LabelWaivePrefix+string(rule.ContainerNetworkIsolation)], "the waiver is recorded on the container")
}
