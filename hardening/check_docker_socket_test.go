package hardening

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestDockerSocketIsNeverMountable(t *testing.T) {
	for _, bind := range []string{"/var/run/docker.sock:/s", "/run/docker.sock:/s:ro", "/var/run:/hostrun:ro", "/run:/r", "/custom/docker.sock:/s"} {
		_, err := Build(testImage, append(hardenedOpts(), WithAddedVolume(bind))...)
		assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket, bind)
	}
}
