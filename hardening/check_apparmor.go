package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkAppArmor binds container.apparmor to its judge.
var checkAppArmor = rule.Bind(containerRules, rule.ContainerAppArmor, judgeAppArmor)

// applyAppArmor is the builder's default for container.apparmor: on a host
// with AppArmor, docker-default, unless the caller set an apparmor option
// (an explicit choice is what the rule then judges). Build applies it again
// after the options, as host facts may arrive with them.
func applyAppArmor(sp *Spec) {
	if _, set := SecurityOption(sp.HostConfig, "apparmor"); sp.Host.AppArmor && !set {
		addSecurityOpt(sp.HostConfig, "apparmor=docker-default")
	}
}

// judgeAppArmor judges container.apparmor on a host that has AppArmor: a
// profile applied, not unconfined, not privileged.
func judgeAppArmor(s *Subject) rule.Result {
	if !s.Host.Known {
		return rule.Skip("host facts unknown: cannot tell whether the host has AppArmor")
	}
	if !s.Host.AppArmor {
		return rule.Skip("host has no AppArmor")
	}
	v, _ := SecurityOption(s.HostConfig, "apparmor")
	if v == "unconfined" || s.AppArmorProfile == "unconfined" || s.HostConfig.Privileged {
		return rule.Fail("AppArmor disabled", fmt.Sprintf("AppArmorProfile=%q", firstNonEmpty(s.AppArmorProfile, v, "unconfined")))
	}
	return rule.Pass("AppArmor profile applied", fmt.Sprintf("AppArmorProfile=%q", firstNonEmpty(s.AppArmorProfile, v, "docker-default")))
}
