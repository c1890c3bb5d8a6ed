package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestValidConfig(t *testing.T) {
	assert.Equal(t, rule.StatusPass, judge(t, validConfig, fakeRoot{"/etc/containers/containers.conf": "[containers]\n"}).Status)
	r := judge(t, validConfig, fakeRoot{"/etc/containers/containers.conf": "[containers\n"})
	assert.Equal(t, rule.StatusFail, r.Status)
	assert.Contains(t, r.Detail, "/etc/containers/containers.conf")
}
