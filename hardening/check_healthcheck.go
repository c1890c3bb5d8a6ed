package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkHealthcheck binds container.healthcheck to its judge. The builder
// cannot enforce it: the image's HEALTHCHECK or WithHealthcheck decide.
var checkHealthcheck = rule.Bind(containerRules, rule.ContainerHealthcheck, judgeHealthcheck)

// judgeHealthcheck judges container.healthcheck: the container's health
// check, else the image's.
func judgeHealthcheck(s *Subject) rule.Result {
	if s.Config != nil && s.Config.Healthcheck != nil && len(s.Config.Healthcheck.Test) > 0 {
		if s.Config.Healthcheck.Test[0] == "NONE" {
			return rule.Warn("health check disabled", "Config.Healthcheck.Test=[NONE]")
		}
		return rule.Pass("health check configured", fmt.Sprintf("Config.Healthcheck.Test=%v", s.Config.Healthcheck.Test))
	}
	if s.Image == nil {
		return rule.Skip("image not known: its HEALTHCHECK decides")
	}
	if s.Image.Healthcheck {
		return rule.Pass("image defines a HEALTHCHECK", "")
	}
	return rule.Warn("no health check", "neither the image nor the container defines one")
}
