package swarm

import (
	"fmt"
	"strings"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

// checkRoutingMesh binds swarm.routing-mesh to its judge.
var checkRoutingMesh = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmRoutingMesh, Title: "Service ports are not published through the routing mesh", Severity: rule.SeverityMedium, CIS: []string{"7.2"},
		Rationale:   "A port published in ingress mode listens on every address of every node in the swarm, whether or not a task runs there.",
		Remediation: "Publish in host mode (--publish mode=host,target=80,published=8080) and restrict it with the host firewall, or put a load balancer in front of an internal network.",
	},
	Judge: judgeRoutingMesh,
}

// judgeRoutingMesh fails a service that publishes a port in ingress mode.
func judgeRoutingMesh(f *facts) rule.Result {
	var ports []swarmtypes.PortConfig
	if ep := f.service.Spec.EndpointSpec; ep != nil {
		ports = ep.Ports
	}
	var mesh, host []string
	for _, p := range ports {
		d := fmt.Sprintf("%d->%d/%s", p.PublishedPort, p.TargetPort, p.Protocol)
		if p.PublishMode == swarmtypes.PortConfigPublishModeHost {
			host = append(host, d)
		} else {
			mesh = append(mesh, d)
		}
	}
	switch {
	case len(mesh) > 0:
		return rule.Fail("ports published through the routing mesh listen on every address of every node", "ingress: "+strings.Join(mesh, ", "))
	case len(host) > 0:
		return rule.Pass("ports published in host mode only", "host: "+strings.Join(host, ", "))
	}
	return rule.Pass("no published ports", "")
}
