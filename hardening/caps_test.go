package hardening_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestAddedCapabilitiesNeedRoot(t *testing.T) {
	for name, opts := range map[string][]hardening.Option{
		"WithNonRootUser":   {hardening.WithNonRootUser(), hardening.WithAddedCapabilities("NET_BIND_SERVICE")},
		"user set after":    {hardening.WithAddedCapabilities("NET_BIND_SERVICE"), hardening.WithUser("1000:1000")},
		"image USER nobody": {hardening.WithImageFacts(hardening.ImageFacts{ID: imageID, User: "nobody"}), hardening.WithAddedCapabilities("CHOWN")},
	} {
		_, err := hardening.Modifiers(opts...)
		require.ErrorIs(t, err, hardening.ErrInvalidSpec, name)
		assert.Contains(t, err.Error(), "no ambient capabilities", name)
		assert.Contains(t, err.Error(), string(rule.ContainerNonRootUser), name)
	}
	_, err := hardening.Modifiers(hardening.WithUser("0"), hardening.Waive(rule.ContainerNonRootUser, "needs NET_BIND_SERVICE"),
		hardening.WithAddedCapabilities("NET_BIND_SERVICE"))
	require.NoError(t, err, "root with a waiver may add capabilities")
}

// TestRunRefusesCapabilitiesForNonRoot: the README's old example (non-root
// plus NET_BIND_SERVICE) is refused before anything is created.
func TestRunRefusesCapabilitiesForNonRoot(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	owner := dockertest.Name("caps")
	_, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithNetwork("none"), hardening.WithNonRootUser(),
		hardening.WithAddedCapabilities("NET_BIND_SERVICE"), hardening.WithAddedLabels(map[string]string{"test.owner": owner}))
	require.ErrorIs(t, err, hardening.ErrInvalidSpec)
	assert.Contains(t, err.Error(), "no ambient capabilities")
	assertLaunchLeftNothing(t, cli, owner, "none-such-network-"+owner)
}

// TestAddedCapabilityIsEffectiveForRoot: the one way Build allows, root
// with a waiver, gets the capability in the kernel (CapEff bit 10).
func TestAddedCapabilityIsEffectiveForRoot(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	c, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithNetwork("none"), hardening.WithUser("0"),
		hardening.Waive(rule.ContainerNonRootUser, "test: root with one capability"),
		hardening.WithAddedCapabilities("NET_BIND_SERVICE"), hardening.WithCmd("status"))
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = c.Wait(ctx)
	require.NoError(t, err)
	out := output(t, c)
	var st dockertest.ProbeStatus
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(strings.Split(out, "\n")[0])), &st), out)
	eff, err := strconv.ParseUint(st.CapEff, 16, 64)
	require.NoError(t, err)
	assert.Equal(t, uint64(1)<<10, eff, "CapEff is exactly CAP_NET_BIND_SERVICE: %s", out)
	assert.Equal(t, "1", st.NoNewPrivs)
}

// TestNonRootBindsPort80WithoutACapability backs the README's advice: on
// dockerd 20.10+ a non-root process with no capability binds port 80.
func TestNonRootBindsPort80WithoutACapability(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	c := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("listen", "80"))
	waitForLog(t, c, "listening")
}
