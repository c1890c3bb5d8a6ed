package podmanconf

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestInsecureRegistries(t *testing.T) {
	reg := func(s string) fakeRoot { return fakeRoot{"/etc/containers/registries.conf": s} }
	assert.Equal(t, rule.StatusPass, judge(t, insecureRegistries, reg("")).Status)
	r := judge(t, insecureRegistries, reg("[[registry]]\nlocation = \"r.example:5000\"\ninsecure = true\n"))
	assert.Equal(t, rule.StatusFail, r.Status)
	assert.Contains(t, r.Detail, "r.example:5000")
	assert.Equal(t, rule.StatusPass, judge(t, insecureRegistries, reg("[[registry]]\nlocation = \"r.example\"\ninsecure = true\nblocked = true\n")).Status, "blocked: never contacted")
	assert.Equal(t, rule.StatusFail, judge(t, insecureRegistries, reg("[registries.insecure]\nregistries = [\"old.example\"]\n")).Status, "the v1 format")
}
