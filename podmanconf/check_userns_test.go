package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestUserns(t *testing.T) {
	conf := func(s string) fakeRoot { return fakeRoot{"/etc/containers/containers.conf": "[containers]\n" + s} }
	assert.Equal(t, rule.StatusFail, judge(t, userns, conf("")).Status, "rootful default: the host's namespace")
	assert.Equal(t, rule.StatusFail, judge(t, userns, conf("userns = \"host\"\n")).Status)
	assert.Equal(t, rule.StatusPass, judge(t, userns, conf("userns = \"auto\"\n")).Status)
	remap := conf("")
	remap["/etc/containers/storage.conf"] = "[storage]\ndriver = \"overlay\"\n[storage.options]\nremap-user = \"containers\"\n"
	assert.Equal(t, rule.StatusPass, judge(t, userns, remap).Status)
}
