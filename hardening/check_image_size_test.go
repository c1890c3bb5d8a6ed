package hardening_test

import (
	"testing"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func TestImageSize(t *testing.T) {
	imageCases(t, hardening.ImageSize, []imageCase{
		{name: "small", size: 5_000_000, layers: 2, want: rule.StatusPass, detail: "5 MB in 2 layers"},
		{name: "at the bound", size: hardening.MinimalImageSize, layers: 9, want: rule.StatusPass, detail: "1073 MB in 9 layers"},
		{name: "large", size: hardening.MinimalImageSize + 1, layers: 30, want: rule.StatusWarn, detail: "1073 MB in 30 layers"},
	})
}
