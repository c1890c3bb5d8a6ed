package hardening

import (
	"testing"

	"github.com/safedock/safedock/rule"
)

func TestImagePinned(t *testing.T) {
	ref := func(r string) func(s *Subject) { return func(s *Subject) { s.Config.Image = r } }
	judgeCases(t, checkImagePinned, []judgeCase{
		{"an image ID", ref(testImage), rule.StatusPass},
		{"a bare ID", ref(testImage[len("sha256:"):]), rule.StatusPass},
		{"a digest", ref("nginx@" + testImage), rule.StatusPass},
		{"a tag", ref("nginx:latest"), rule.StatusFail},
		{"a tag resolved once and launched by ID", func(s *Subject) {
			s.Config.Image, s.ImageID = "nginx:latest", testImage
			s.Config.Labels = map[string]string{LabelImageID: testImage}
		}, rule.StatusPass},
		{"a tag whose label names another image", func(s *Subject) {
			s.Config.Image, s.ImageID = "nginx:latest", testImage
			s.Config.Labels = map[string]string{LabelImageID: "sha256:other"}
		}, rule.StatusFail},
	})
}
