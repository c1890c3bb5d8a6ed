package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestLogDriver(t *testing.T) {
	conf := func(s string) fakeRoot { return fakeRoot{"/etc/containers/containers.conf": "[containers]\n" + s} }
	assert.Equal(t, rule.StatusFail, judge(t, logDriver, conf("")).Status, "k8s-file, log_size_max -1")
	assert.Equal(t, rule.StatusFail, judge(t, logDriver, conf("log_size_max = -1\n")).Status)
	assert.Equal(t, rule.StatusPass, judge(t, logDriver, conf("log_size_max = 10485760\n")).Status)
	assert.Equal(t, rule.StatusPass, judge(t, logDriver, conf("log_driver = \"journald\"\n")).Status)
	assert.Equal(t, rule.StatusWarn, judge(t, logDriver, conf("log_driver = \"none\"\n")).Status)
}
