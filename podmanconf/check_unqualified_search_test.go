package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestUnqualifiedSearch(t *testing.T) {
	reg := func(s string) fakeRoot { return fakeRoot{"/etc/containers/registries.conf": s} }
	assert.Equal(t, rule.StatusPass, judge(t, unqualifiedSearch, reg("")).Status)
	assert.Equal(t, rule.StatusPass, judge(t, unqualifiedSearch, reg("unqualified-search-registries = [\"docker.io\"]\n")).Status)
	two := "unqualified-search-registries = [\"docker.io\", \"quay.io\"]\n"
	assert.Equal(t, rule.StatusPass, judge(t, unqualifiedSearch, reg(two)).Status, "containers/image's default short-name-mode is enforcing")
	assert.Equal(t, rule.StatusFail, judge(t, unqualifiedSearch, reg(two+"short-name-mode = \"permissive\"\n")).Status)
}
