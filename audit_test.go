package safedock_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/rule"
)

func TestSectionsSelection(t *testing.T) {
	_, err := safedock.ParseSection("network")
	assert.ErrorContains(t, err, "unknown section")

	_, err = safedock.Audit(context.Background(), safedock.Options{Only: []safedock.Section{"bogus"}})
	assert.ErrorContains(t, err, "unknown section")
	_, err = safedock.Audit(context.Background(), safedock.Options{Only: []safedock.Section{safedock.SectionFiles}, Skip: []safedock.Section{safedock.SectionFiles}})
	assert.ErrorContains(t, err, "no section to run")
}

func TestSectionOfCoversEveryRuleArea(t *testing.T) {
	for id, want := range map[rule.ID]safedock.Section{
		rule.ContainerPrivileged: safedock.SectionContainers,
		"image.healthcheck":      safedock.SectionImages,
		"daemon.icc":             safedock.SectionDaemon,
		"file.docker-sock":       safedock.SectionFiles,
		"host.kernel-version":    safedock.SectionHost,
		"audit.dockerd":          safedock.SectionAuditd,
	} {
		assert.Equal(t, want, safedock.SectionOf(id), id)
	}
}

// A daemon that does not answer must not turn into passes: the sections that
// need it report their error and contribute no findings.
func TestUnreachableDaemonIsAnErrorNotAPass(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	rep, err := safedock.Audit(context.Background(), safedock.Options{Only: []safedock.Section{safedock.SectionImages, safedock.SectionContainers}})
	require.ErrorIs(t, err, rule.ErrIncomplete)
	var inc *rule.IncompleteError
	require.ErrorAs(t, err, &inc)
	assert.Equal(t, 2, inc.Failed)
	assert.Equal(t, 2, inc.Total)
	assert.True(t, rep.Incomplete())
	assert.True(t, rep.Summary.Incomplete)
	assert.Len(t, rep.Report.Incomplete, 2)
	assert.Empty(t, rep.Findings)
	for _, s := range rep.Sections {
		assert.NotEmpty(t, s.Error, s.Section)
		assert.True(t, s.Incomplete, s.Section)
	}
}

func ExampleSectionOf() {
	for _, id := range []rule.ID{rule.ContainerNoNewPrivileges, "daemon.icc", "file.docker-sock"} {
		fmt.Println(id, "->", safedock.SectionOf(id))
	}
	// Output:
	// container.no-new-privileges -> containers
	// daemon.icc -> daemon
	// file.docker-sock -> files
}

func TestRulesCatalogIsValidAndCoversEverySection(t *testing.T) {
	cat := safedock.Rules()
	require.NoError(t, cat.Validate())
	seen := map[safedock.Section]bool{}
	for _, r := range cat {
		seen[safedock.SectionOf(r.ID)] = true
	}
	for _, s := range safedock.AllSections() {
		assert.True(t, seen[s], "no rule for section %s", s)
	}
}
