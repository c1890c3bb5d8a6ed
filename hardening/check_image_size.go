package hardening

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// checkImageSize binds image.size to its judge.
var checkImageSize = rule.Check[inspectedImage]{
	Rule: rule.Rule{ID: ImageSize, Title: "Images are minimal", Severity: rule.SeverityInfo,
		Rationale:   "Every package in an image is attack surface and patch work; small images (distroless, scratch, alpine) have less of both. Vulnerability scanning (Clair, Trivy) is out of safedock's scope.",
		Remediation: "Use a multi-stage build and a minimal base image; scan images with a vulnerability scanner."},
	Judge: judgeImageSize,
}

// judgeImageSize warns on an image larger than MinimalImageSize.
func judgeImageSize(in inspectedImage) rule.Result {
	detail := fmt.Sprintf("%d MB in %d layers", in.size/1_000_000, in.layers)
	if in.size > MinimalImageSize {
		return rule.Warn("large image: consider a minimal base", detail)
	}
	return rule.Pass("size within the minimal-image bound", detail)
}
