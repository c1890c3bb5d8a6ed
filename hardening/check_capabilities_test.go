package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestCapabilities(t *testing.T) {
	judgeCases(t, checkCapabilities, []judgeCase{
		{"defaults kept", nil, rule.StatusFail},
		{"ALL dropped", hc(func(hc *container.HostConfig) { hc.CapDrop = []string{"ALL"} }), rule.StatusPass},
		{"all dropped, lower case", hc(func(hc *container.HostConfig) { hc.CapDrop = []string{"all"} }), rule.StatusPass},
		{"a harmless one added back", hc(func(hc *container.HostConfig) { hc.CapDrop, hc.CapAdd = []string{"ALL"}, []string{"NET_BIND_SERVICE"} }), rule.StatusPass},
		{"SYS_ADMIN added", hc(func(hc *container.HostConfig) { hc.CapDrop, hc.CapAdd = []string{"ALL"}, []string{"CAP_SYS_ADMIN"} }), rule.StatusFail},
		{"privileged", hc(func(hc *container.HostConfig) { hc.CapDrop, hc.Privileged = []string{"ALL"}, true }), rule.StatusFail},
	})
}

func TestCapabilitiesNormalized(t *testing.T) {
	sp, err := Build(testImage, append(hardenedOpts(), WithAddedCapabilities("cap_net_bind_service", "NET_BIND_SERVICE"))...)
	require.NoError(t, err)
	assert.Equal(t, []string{"NET_BIND_SERVICE"}, sp.HostConfig.CapAdd)
}
