package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestSELinux(t *testing.T) {
	label := func(l string) func(*specs.Spec) { return func(s *specs.Spec) { s.Process.SelinuxLabel = l } }
	judgeCases(t, rule.ContainerSELinux, []judgeCase{
		{name: "no label, no SELinux", edit: label(""), want: rule.StatusSkip},
		{name: "no label on an SELinux host", edit: label(""), host: hostFacts{seLinux: true}, want: rule.StatusWarn},
		{name: "container_t", edit: label("system_u:system_r:container_t:s0"), host: hostFacts{seLinux: true}, want: rule.StatusPass},
		{name: "unconfined_t", edit: label("unconfined_u:unconfined_r:unconfined_t:s0"), want: rule.StatusFail},
		{name: "no process", edit: func(s *specs.Spec) { s.Process = nil }, want: rule.StatusFail},
	})
	if l := applied(t, WithSELinuxLabel("system_u:system_r:container_t:s0")).Process.SelinuxLabel; l != "system_u:system_r:container_t:s0" {
		t.Errorf("WithSELinuxLabel: %q", l)
	}
}
