package hardening_test

import (
	"testing"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func TestImageHealthcheck(t *testing.T) {
	imageCases(t, hardening.ImageHealthcheck, []imageCase{
		{name: "none", want: rule.StatusWarn, detail: "Config.Healthcheck is empty"},
		{name: "defined", img: hardening.ImageFacts{Healthcheck: true}, want: rule.StatusPass},
	})
}
