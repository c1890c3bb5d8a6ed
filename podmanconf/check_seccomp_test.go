package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestSeccompProfile(t *testing.T) {
	conf := func(s string) fakeRoot { return fakeRoot{"/etc/containers/containers.conf": "[containers]\n" + s} }
	assert.Equal(t, rule.StatusPass, judge(t, seccompProfile, conf("")).Status)
	assert.Equal(t, rule.StatusPass, judge(t, seccompProfile, conf("seccomp_profile = \"/etc/containers/strict.json\"\n")).Status)
	assert.Equal(t, rule.StatusFail, judge(t, seccompProfile, conf("seccomp_profile = \"unconfined\"\n")).Status)
}
