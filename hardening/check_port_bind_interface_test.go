package hardening

import (
	"testing"

	"net/netip"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/rule"
)

func TestPortBindInterface(t *testing.T) {
	publish := func(ip string) func(s *Subject) {
		return hc(func(hc *container.HostConfig) {
			b := network.PortBinding{HostPort: "8080"}
			if ip != "" {
				b.HostIP = netip.MustParseAddr(ip)
			}
			hc.PortBindings = network.PortMap{network.MustParsePort("80/tcp"): {b}}
		})
	}
	judgeCases(t, checkPortBindInterface, []judgeCase{
		{"nothing published", nil, rule.StatusPass},
		{"on 127.0.0.1", publish("127.0.0.1"), rule.StatusPass},
		{"no host address", publish(""), rule.StatusFail},
		{"on 0.0.0.0", publish("0.0.0.0"), rule.StatusFail},
		{"on ::", publish("::"), rule.StatusFail},
		{"publish all", hc(func(hc *container.HostConfig) { hc.PublishAllPorts = true }), rule.StatusFail},
	})
}
