package hardening

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestSensitiveMountJudgesTheSourcePath(t *testing.T) {
	for _, c := range []struct {
		bind string
		fail bool
	}{
		{"/etc:/config", true},
		{"/etc/../etc/ssl:/ssl", true},
		{"/usr/local/share:/share", true},
		{"/:/host", true},
		{"/etc:/etc:ro", false},
		{"/srv/etc:/etc", false},
		{"/etcetera:/x", false},
		{"/var/lib/app:/usr", false}, // a sensitive destination is not a host path
	} {
		sp, err := Build(testImage, append(hardenedOpts(), WithAddedVolume(c.bind))...)
		if c.fail {
			assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, c.bind)
		} else {
			assert.NoError(t, err, c.bind)
			assert.Equal(t, rule.StatusPass, findingOf(sp.Check(), rule.ContainerSensitiveMounts).Status, c.bind)
		}
	}
}
