package swarm

import (
	"testing"

	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/rule"
)

func TestEncryptedOverlay(t *testing.T) {
	overlay := func(ingress bool, opts map[string]string) facts {
		return facts{network: network.Summary{Network: network.Network{Name: "n", Driver: "overlay", Ingress: ingress, Options: opts}}}
	}
	judgeCases(t, checkEncryptedOverlay, []judgeCase{
		{"no options", overlay(false, nil), rule.StatusFail, "Options=map[]"},
		{"encrypted empty (docker network create --opt encrypted)", overlay(false, map[string]string{"encrypted": ""}), rule.StatusPass, `Options[encrypted]=""`},
		{"encrypted true", overlay(false, map[string]string{"encrypted": "true"}), rule.StatusPass, `Options[encrypted]="true"`},
		{"encrypted false", overlay(false, map[string]string{"encrypted": "false"}), rule.StatusFail, "encrypted:false"},
		{"ingress", overlay(true, nil), rule.StatusFail, ""},
	})
	if res := checkEncryptedOverlay.Judge(&facts{network: network.Summary{Network: network.Network{Ingress: true}}}); res.Reason != "the ingress (routing mesh) network is not encrypted" {
		t.Errorf("ingress: reason %q", res.Reason)
	}
}
