package hardening_test

import (
	"testing"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func TestImageNonRootUser(t *testing.T) {
	imageCases(t, hardening.ImageNonRootUser, []imageCase{
		{name: "no USER", want: rule.StatusFail, detail: "Config.User is empty"},
		{name: "root", img: hardening.ImageFacts{User: "root"}, want: rule.StatusFail, detail: `Config.User="root"`},
		{name: "uid 0 with a group", img: hardening.ImageFacts{User: "0:1000"}, want: rule.StatusFail, detail: `Config.User="0:1000"`},
		{name: "root with a group", img: hardening.ImageFacts{User: "root:root"}, want: rule.StatusFail},
		{name: "nobody", img: hardening.ImageFacts{User: "65534:65534"}, want: rule.StatusPass, detail: `Config.User="65534:65534"`},
		{name: "a named user", img: hardening.ImageFacts{User: "app"}, want: rule.StatusPass},
	})
}
