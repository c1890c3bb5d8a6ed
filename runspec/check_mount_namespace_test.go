package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestMountNamespace(t *testing.T) {
	judgeCases(t, SpecMountNamespace, []judgeCase{
		{name: "hardened", want: rule.StatusPass},
		{name: "host's", edit: func(s *specs.Spec) { setNS(s, "mount", "/proc/1/ns/mnt", false) }, want: rule.StatusFail},
		{name: "another's", edit: func(s *specs.Spec) { setNS(s, "mount", "/proc/4242/ns/mnt", false) }, want: rule.StatusWarn},
	})
	if _, ok := findNS(applied(t), "mount"); !ok {
		t.Error("Apply added no mount namespace")
	}
}
