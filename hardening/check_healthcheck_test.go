package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestHealthcheck(t *testing.T) {
	judgeCases(t, checkHealthcheck, []judgeCase{
		{"image unknown", nil, rule.StatusSkip},
		{"image's HEALTHCHECK", func(s *Subject) { s.Image = &ImageFacts{Healthcheck: true} }, rule.StatusPass},
		{"none anywhere", func(s *Subject) { s.Image = &ImageFacts{} }, rule.StatusWarn},
		{"the container's", func(s *Subject) { s.Config.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "/probe"}} }, rule.StatusPass},
		{"disabled over the image's", func(s *Subject) {
			s.Image = &ImageFacts{Healthcheck: true}
			s.Config.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
		}, rule.StatusWarn},
	})
}
