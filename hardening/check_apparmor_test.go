package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestAppArmor(t *testing.T) {
	judgeCases(t, checkAppArmor, []judgeCase{
		{"host facts unknown", func(s *Subject) { s.Host = HostFacts{} }, rule.StatusSkip},
		{"host without AppArmor", func(s *Subject) { s.Host.AppArmor = false }, rule.StatusSkip},
		{"docker-default", nil, rule.StatusPass},
		{"a custom profile", hc(func(hc *container.HostConfig) { hc.SecurityOpt = []string{"apparmor=my-profile"} }), rule.StatusPass},
		{"unconfined option", hc(func(hc *container.HostConfig) { hc.SecurityOpt = []string{"apparmor=unconfined"} }), rule.StatusFail},
		{"unconfined as inspected", func(s *Subject) { s.AppArmorProfile = "unconfined" }, rule.StatusFail},
		{"privileged", hc(func(hc *container.HostConfig) { hc.Privileged = true }), rule.StatusFail},
	})
}
