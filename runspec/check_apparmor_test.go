package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestAppArmor(t *testing.T) {
	profile := func(p string) func(*specs.Spec) { return func(s *specs.Spec) { s.Process.ApparmorProfile = p } }
	judgeCases(t, rule.ContainerAppArmor, []judgeCase{
		{name: "no profile, no AppArmor", edit: profile(""), want: rule.StatusSkip},
		{name: "no profile on an AppArmor host", edit: profile(""), host: hostFacts{appArmor: true}, want: rule.StatusWarn},
		{name: "profile", edit: profile("docker-default"), host: hostFacts{appArmor: true}, want: rule.StatusPass},
		{name: "unconfined, no AppArmor", edit: profile("unconfined"), want: rule.StatusFail},
		{name: "no process", edit: func(s *specs.Spec) { s.Process = nil }, want: rule.StatusFail},
	})
	if p := applied(t, WithAppArmorProfile("docker-default")).Process.ApparmorProfile; p != "docker-default" {
		t.Errorf("WithAppArmorProfile: %q", p)
	}
}
