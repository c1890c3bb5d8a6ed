package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestNoNewPrivileges(t *testing.T) {
	conf := func(s string) fakeRoot { return fakeRoot{"/etc/containers/containers.conf": "[containers]\n" + s} }
	assert.Equal(t, rule.StatusFail, judge(t, noNewPrivileges, conf("")).Status, "unset: Podman's default is off")
	assert.Equal(t, rule.StatusFail, judge(t, noNewPrivileges, conf("no_new_privileges = false\n")).Status)
	assert.Equal(t, rule.StatusFail, judge(t, noNewPrivileges, conf("no_new_privileges = \"yes\"\n")).Status)
	r := judge(t, noNewPrivileges, conf("no_new_privileges = true\n"))
	assert.Equal(t, rule.StatusPass, r.Status)
	assert.Contains(t, r.Detail, "/etc/containers/containers.conf")
}
