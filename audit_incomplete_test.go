package safedock_test

import (
	"context"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// hardening.Audit reports containers whose inspect failed as
// incompleteness (a *rule.IncompleteError with the counts), not as skips
// that read as clean; safedock.Audit marks the section incomplete.
func TestInspectFailuresAreIncomplete(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx := context.Background()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: dockertest.Name("inc"), Config: &container.Config{Image: img.Ref, Cmd: []string{"sleep"}}})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)

	proxy := dockertest.StartFaultProxy(t, cli.DaemonHost(), dockertest.IsContainerInspect)
	pcli, err := client.New(client.WithHost(proxy.Host))
	require.NoError(t, err)
	defer pcli.Close()

	rep, err := hardening.Audit(ctx, pcli, hardening.AuditOptions{All: true})
	require.ErrorIs(t, err, rule.ErrIncomplete)
	var inc *rule.IncompleteError
	require.ErrorAs(t, err, &inc)
	assert.Positive(t, inc.Total)
	assert.Equal(t, inc.Total, inc.Failed)
	assert.Len(t, inc.Errs, inc.Failed)
	assert.Contains(t, err.Error(), "containers could not be inspected")
	assert.Empty(t, rep.Findings, "no findings without an inspect")
	assert.True(t, rep.Summary.Incomplete)

	local := false
	whole, err := safedock.Audit(ctx, safedock.Options{Client: pcli, Remote: &local, All: true, Only: []safedock.Section{safedock.SectionContainers}})
	require.ErrorIs(t, err, rule.ErrIncomplete)
	require.Len(t, whole.Sections, 1)
	s := whole.Sections[0]
	assert.True(t, s.Incomplete)
	assert.Equal(t, inc.Total, s.Total)
	assert.Equal(t, s.Total, s.Failed)
	assert.True(t, whole.Incomplete())
}
