package rule_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestSectionOfEveryArea(t *testing.T) {
	for id, want := range map[rule.ID]rule.Section{
		rule.ContainerPrivileged: rule.SectionContainers,
		"image.healthcheck":      rule.SectionImages,
		"daemon.icc":             rule.SectionDaemon,
		"file.docker-sock":       rule.SectionFiles,
		"host.kernel-version":    rule.SectionHost,
		"audit.dockerd":          rule.SectionAuditd,
		// Areas the whole-host audit has no section for are their own.
		"spec.readonly-paths": "spec",
		"swarm.autolock":      "swarm",
		"authz.unjudged":      "authz",
	} {
		assert.Equal(t, want, rule.SectionOf(id), id)
	}
}

func TestParseSection(t *testing.T) {
	for _, s := range rule.AllSections() {
		got, err := rule.ParseSection(" " + string(s) + " ")
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := rule.ParseSection("network")
	assert.ErrorContains(t, err, `unknown section "network"`)
	assert.Len(t, rule.AllSections(), 6)
}

func TestSectionResultUnfinished(t *testing.T) {
	assert.False(t, rule.SectionResult{Section: rule.SectionHost, Skipped: "remote"}.Unfinished())
	assert.True(t, rule.SectionResult{Incomplete: true}.Unfinished())
	assert.True(t, rule.SectionResult{Error: "boom"}.Unfinished())
}

func ExampleSectionOf() {
	for _, id := range []rule.ID{rule.ContainerNoNewPrivileges, "audit.dockerd", "file.docker-sock"} {
		fmt.Println(id, "->", rule.SectionOf(id))
	}
	// Output:
	// container.no-new-privileges -> containers
	// audit.dockerd -> auditd
	// file.docker-sock -> files
}
