package hardening

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkImagePinned binds container.image-pinned to its judge. The builder
// sets no default: Run resolves a tag once and launches by ID.
var checkImagePinned = rule.Bind(containerRules, rule.ContainerImagePinned, judgeImagePinned)

// judgeImagePinned judges container.image-pinned: the image is named by
// content, or was resolved once and launched by the ID safedock recorded.
func judgeImagePinned(s *Subject) rule.Result {
	ref := ""
	if s.Config != nil {
		ref = s.Config.Image
	}
	if isPinned(ref) {
		return rule.Pass("image pinned", fmt.Sprintf("Config.Image=%q", ref))
	}
	if s.Config != nil && s.Config.Labels[LabelImageID] != "" && s.Config.Labels[LabelImageID] == s.ImageID {
		return rule.Pass("image resolved once and launched by ID", fmt.Sprintf("%s=%s", LabelImageID, s.ImageID))
	}
	return rule.Fail("image referenced by a movable tag", fmt.Sprintf("Config.Image=%q", ref))
}

// isPinned reports whether an image reference names content, not a tag.
func isPinned(ref string) bool {
	if strings.HasPrefix(ref, "sha256:") || strings.Contains(ref, "@sha256:") {
		return true
	}
	if len(ref) == 64 {
		_, err := strconv.ParseUint(ref[:16], 16, 64)
		return err == nil && strings.Trim(ref, "0123456789abcdef") == ""
	}
	return false
}
