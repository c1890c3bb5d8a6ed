package hardening

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestNonRootUser(t *testing.T) {
	judgeCases(t, checkNonRootUser, []judgeCase{
		{"no user, image unknown", nil, rule.StatusFail},
		{"no user, image without USER", func(s *Subject) { s.Image = &ImageFacts{} }, rule.StatusFail},
		{"root", func(s *Subject) { s.Config.User = "root" }, rule.StatusFail},
		{"uid 0 with a group", func(s *Subject) { s.Config.User = "0:1000" }, rule.StatusFail},
		{"non-root", func(s *Subject) { s.Config.User = "65534:65534" }, rule.StatusPass},
		{"image's non-root USER", func(s *Subject) { s.Image = &ImageFacts{User: "app"} }, rule.StatusPass},
		{"container's root over the image's USER", func(s *Subject) { s.Config.User = "root"; s.Image = &ImageFacts{User: "app"} }, rule.StatusFail},
	})
}

func TestUserRuleNeedsAUserOrImageFacts(t *testing.T) {
	_, err := Build(testImage)
	assert.Contains(t, violationIDs(err), rule.ContainerNonRootUser)
	_, err = Build(testImage, WithImageFacts(ImageFacts{ID: testImage, User: "app"}))
	assert.NoError(t, err, "an image with a non-root USER passes without WithUser")
	_, err = Build(testImage, WithImageFacts(ImageFacts{ID: testImage, User: "0:0"}))
	assert.Contains(t, violationIDs(err), rule.ContainerNonRootUser)
}
