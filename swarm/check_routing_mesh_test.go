package swarm

import (
	"testing"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestRoutingMesh(t *testing.T) {
	svc := func(ports ...swarmtypes.PortConfig) facts {
		return facts{service: swarmtypes.Service{Spec: swarmtypes.ServiceSpec{EndpointSpec: &swarmtypes.EndpointSpec{Ports: ports}}}}
	}
	ingress := swarmtypes.PortConfig{Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: swarmtypes.PortConfigPublishModeIngress}
	unset := swarmtypes.PortConfig{Protocol: "udp", TargetPort: 53, PublishedPort: 5353}
	host := swarmtypes.PortConfig{Protocol: "tcp", TargetPort: 443, PublishedPort: 8443, PublishMode: swarmtypes.PortConfigPublishModeHost}
	judgeCases(t, checkRoutingMesh, []judgeCase{
		{"no endpoint spec", facts{}, rule.StatusPass, ""},
		{"no ports", svc(), rule.StatusPass, ""},
		{"ingress", svc(ingress), rule.StatusFail, "ingress: 8080->80/tcp"},
		{"mode unset is ingress", svc(unset), rule.StatusFail, "ingress: 5353->53/udp"},
		{"host only", svc(host), rule.StatusPass, "host: 8443->443/tcp"},
		{"host and ingress", svc(host, ingress), rule.StatusFail, "ingress: 8080->80/tcp"},
	})
}
