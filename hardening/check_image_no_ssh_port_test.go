package hardening_test

import (
	"testing"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func TestImageNoSSHPort(t *testing.T) {
	imageCases(t, hardening.ImageNoSSHPort, []imageCase{
		{name: "no ports", want: rule.StatusPass, detail: "Config.ExposedPorts=[]"},
		{name: "web", img: hardening.ImageFacts{ExposedPorts: []string{"8080/tcp", "443/tcp"}}, want: rule.StatusPass, detail: "Config.ExposedPorts=[443/tcp 8080/tcp]"},
		{name: "ssh", img: hardening.ImageFacts{ExposedPorts: []string{"80/tcp", "22/tcp"}}, want: rule.StatusFail, detail: "Config.ExposedPorts=[22/tcp 80/tcp]"},
		{name: "22/udp is not ssh", img: hardening.ImageFacts{ExposedPorts: []string{"22/udp"}}, want: rule.StatusPass},
	})
}
