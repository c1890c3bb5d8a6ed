package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestCatalogsValidate(t *testing.T) {
	require.NoError(t, Checks().Validate())
	require.NoError(t, FileChecks().Validate())
	require.NoError(t, Rules().Validate(), "IDs unique across both")
}

// judge runs one check on a configuration loaded from files.
func judge(t *testing.T, c rule.Check[*Config], files fakeRoot) rule.Result {
	t.Helper()
	return c.Judge(load(files))
}

// Debian bookworm's podman 4.3 as installed (its own files, unchanged):
// what each rule says about it.
func TestAuditOfDebiansDefaults(t *testing.T) {
	files := fakeRoot{}
	for p, f := range map[string]string{
		"/usr/share/containers/containers.conf":             "testdata/debian-4.3-containers.conf",
		"/etc/containers/registries.conf":                   "testdata/debian-4.3-registries.conf",
		"/etc/containers/registries.conf.d/shortnames.conf": "testdata/debian-4.3-shortnames.conf",
	} {
		files[p] = readTestdata(t, f)
	}
	rep := Audit(load(files))
	got := map[rule.ID]rule.Status{}
	for _, f := range rep.Findings {
		got[f.Rule] = f.Status
		assert.Equal(t, Target, f.Target)
		assert.Equal(t, Method, f.Method)
	}
	assert.Equal(t, map[rule.ID]rule.Status{
		DaemonPodmanValidConfig:        rule.StatusPass,
		DaemonPodmanNoNewPrivileges:    rule.StatusFail,
		DaemonPodmanSeccompProfile:     rule.StatusPass,
		DaemonPodmanUserns:             rule.StatusFail,
		DaemonPodmanLogDriver:          rule.StatusFail,
		DaemonPodmanInsecureRegistries: rule.StatusPass,
		DaemonPodmanUnqualifiedSearch:  rule.StatusPass,
	}, got)
}
