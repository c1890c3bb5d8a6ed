package runspec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkAppArmor binds container.apparmor to its judge.
var checkAppArmor = rule.Bind(containerRules, rule.ContainerAppArmor, judgeAppArmor)

// applyAppArmor sets the profile WithAppArmorProfile names and refuses
// unconfined.
func applyAppArmor(s *settings, spec *specs.Spec, waived bool) error {
	if s.apparmor != "" {
		spec.Process.ApparmorProfile = s.apparmor
	}
	if spec.Process.ApparmorProfile == "unconfined" && !waived {
		return violation(rule.ContainerAppArmor, "unconfined AppArmor profile", "process.apparmorProfile unconfined")
	}
	return nil
}

func judgeAppArmor(in subject) rule.Result {
	spec := in.spec
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	switch p := spec.Process.ApparmorProfile; {
	case p == "unconfined":
		return rule.Fail("AppArmor is disabled for the container", "process.apparmorProfile unconfined")
	case p != "":
		return rule.Pass("AppArmor profile set", "process.apparmorProfile "+p)
	case in.host.appArmor:
		return rule.Warn("no AppArmor profile although this host has AppArmor", "process.apparmorProfile empty")
	}
	return rule.Skip("this host has no AppArmor; no profile is needed")
}
