package hardening

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// Swarm rule IDs (CIS Docker Benchmark v1.6.0 section 7, and 5.1).
const (
	SwarmMode             rule.ID = "swarm.mode"
	SwarmManagers         rule.ID = "swarm.managers"
	SwarmRoutingMesh      rule.ID = "swarm.routing-mesh"
	SwarmEncryptedOverlay rule.ID = "swarm.encrypted-overlay"
	SwarmSecretsInEnv     rule.ID = "swarm.secrets-in-env"
	SwarmAutolock         rule.ID = "swarm.autolock"
	SwarmNodeCertExpiry   rule.ID = "swarm.node-cert-expiry"
)

// MaxNodeCertExpiry is the longest node certificate lifetime the
// node-cert-expiry rule accepts: swarm's default, 90 days.
const MaxNodeCertExpiry = 90 * 24 * time.Hour

// SwarmRules returns the catalog of swarm rules that AuditSwarm checks (on
// top of the container rules, which it applies to every service). Each call
// returns a fresh copy.
func SwarmRules() rule.Catalog {
	return rule.Catalog{
		{
			ID: SwarmMode, Title: "Swarm mode is enabled only where needed", Severity: rule.SeverityInfo, CIS: []string{"5.1"},
			Rationale:   "A swarm manager listens for cluster traffic (2377/tcp, 7946, 4789/udp) and can schedule containers on every node: an engine that does not need it should not run it.",
			Remediation: "Leave the swarm (docker swarm leave) on engines that do not take part in one; otherwise confirm it is needed.",
		},
		{
			ID: SwarmManagers, Title: "The swarm has the minimum number of managers, and an odd one", Severity: rule.SeverityMedium, CIS: []string{"7.1"},
			Rationale:   "Managers hold the cluster's state and keys; each extra one is another place to attack. Raft needs a majority: an even count adds no fault tolerance, and more than 7 slows every write.",
			Remediation: "Run 1, 3, 5 or 7 managers (docker node demote the extra ones).",
		},
		{
			ID: SwarmRoutingMesh, Title: "Service ports are not published through the routing mesh", Severity: rule.SeverityMedium, CIS: []string{"7.2"},
			Rationale:   "A port published in ingress mode listens on every address of every node in the swarm, whether or not a task runs there.",
			Remediation: "Publish in host mode (--publish mode=host,target=80,published=8080) and restrict it with the host firewall, or put a load balancer in front of an internal network.",
		},
		{
			ID: SwarmEncryptedOverlay, Title: "Overlay networks are encrypted", Severity: rule.SeverityMedium, CIS: []string{"7.3"},
			Rationale:   "Traffic between tasks on different nodes crosses the hosts' network in VXLAN without encryption unless the overlay is created with the encrypted option (IPsec).",
			Remediation: "Create overlay networks with --opt encrypted (docker network create -d overlay --opt encrypted NAME); recreate the ingress network with --opt encrypted too.",
		},
		{
			ID: SwarmSecretsInEnv, Title: "Secrets reach services as swarm secrets, not environment variables", Severity: rule.SeverityHigh, CIS: []string{"7.4"},
			Rationale:   "Environment variables are stored in the service spec in clear, shown by docker service inspect and docker inspect, and inherited by every child process; swarm secrets are encrypted in the raft log and mounted in memory.",
			Remediation: "Create a secret (docker secret create NAME -) and give it to the service (--secret NAME, hardening.WithSecret); remove the variable.",
		},
		{
			ID: SwarmAutolock, Title: "Swarm managers run in auto-lock mode", Severity: rule.SeverityMedium, CIS: []string{"7.5"},
			Rationale:   "Without auto-lock the keys that decrypt the raft log (and every secret) sit on the manager's disk; with it, a restarted manager needs the unlock key.",
			Remediation: "docker swarm update --autolock=true, and keep the unlock key somewhere safe (rotate it with docker swarm unlock-key --rotate).",
		},
		{
			ID: SwarmNodeCertExpiry, Title: "Node certificates are rotated at least every 90 days", Severity: rule.SeverityLow, CIS: []string{"7.7"},
			Rationale:   "Node certificates authenticate nodes to each other; a long lifetime lets a stolen certificate work for longer.",
			Remediation: "docker swarm update --cert-expiry 2160h0m0s (or shorter).",
		},
	}
}

// SwarmClient is the part of moby's client.APIClient that Deploy and
// AuditSwarm use. *client.Client implements it.
type SwarmClient interface {
	Client
	ServerVersion(ctx context.Context, options client.ServerVersionOptions) (client.ServerVersionResult, error)
	SwarmInspect(ctx context.Context, options client.SwarmInspectOptions) (client.SwarmInspectResult, error)
	ServiceCreate(ctx context.Context, options client.ServiceCreateOptions) (client.ServiceCreateResult, error)
	ServiceInspect(ctx context.Context, serviceID string, options client.ServiceInspectOptions) (client.ServiceInspectResult, error)
	ServiceList(ctx context.Context, options client.ServiceListOptions) (client.ServiceListResult, error)
	ServiceRemove(ctx context.Context, serviceID string, options client.ServiceRemoveOptions) (client.ServiceRemoveResult, error)
	ServiceLogs(ctx context.Context, serviceID string, options client.ServiceLogsOptions) (client.ServiceLogsResult, error)
	TaskList(ctx context.Context, options client.TaskListOptions) (client.TaskListResult, error)
	SecretList(ctx context.Context, options client.SecretListOptions) (client.SecretListResult, error)
}

var _ SwarmClient = (*client.Client)(nil)

// SwarmAuditOptions adjust AuditSwarm. The zero value reads everything from
// the engine.
type SwarmAuditOptions struct {
	// Host overrides the host facts read from the engine's /info; they apply
	// to every service (the nodes are assumed configured alike).
	Host *HostFacts
	// Waivers apply to every service and to the cluster-wide rules, on top
	// of the waivers recorded in each service's io.safedock.waive.* labels.
	Waivers rule.Waivers
}

// AuditSwarm checks the swarm the engine behind cli manages: cluster-wide
// rules (manager count, auto-lock, certificate lifetime) under the target
// "swarm", every overlay network ("network:NAME"), and every service
// ("service:NAME") against the swarm rules and against every container rule
// through SubjectFromService. On an engine that is not in a swarm it
// reports swarm.mode as passed and nothing else; on a worker it reports the
// cluster-wide rules as skipped (only managers can answer). It never
// changes anything.
func AuditSwarm(ctx context.Context, cli SwarmClient, opts SwarmAuditOptions) (rule.Report, error) {
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: reading daemon info: %w", err)
	}
	host := HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)
	if opts.Host != nil {
		host = *opts.Host
	}
	cat := SwarmRules()
	var out []rule.Finding
	add := func(id rule.ID, target string, res rule.Result, w rule.Waivers) {
		r, _ := cat.Lookup(id)
		res = opts.Waivers.Apply(id, res)
		res = w.Apply(id, res)
		if res.Method == "" {
			res.Method = "api"
		}
		out = append(out, r.Finding(target, res))
	}
	sw := info.Info.Swarm
	if sw.LocalNodeState == swarm.LocalNodeStateInactive || sw.LocalNodeState == "" {
		add(SwarmMode, "swarm", rule.Pass("swarm mode is not enabled", "Swarm.LocalNodeState="+string(sw.LocalNodeState)), nil)
		return rule.NewReport(out), nil
	}
	add(SwarmMode, "swarm", rule.Warn("swarm mode is enabled: confirm this engine needs it", fmt.Sprintf("Swarm.LocalNodeState=%s NodeAddr=%s", sw.LocalNodeState, sw.NodeAddr)), nil)
	if !sw.ControlAvailable {
		for _, id := range []rule.ID{SwarmManagers, SwarmAutolock, SwarmNodeCertExpiry, SwarmEncryptedOverlay, SwarmRoutingMesh, SwarmSecretsInEnv} {
			add(id, "swarm", rule.Skip("this engine is a worker: only a manager can answer (run the audit against a manager)"), nil)
		}
		return rule.NewReport(out), nil
	}
	add(SwarmManagers, "swarm", checkManagers(sw.Managers), nil)

	si, err := cli.SwarmInspect(ctx, client.SwarmInspectOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: inspecting the swarm: %w", err)
	}
	spec := si.Swarm.Spec
	if spec.EncryptionConfig.AutoLockManagers {
		add(SwarmAutolock, "swarm", rule.Pass("managers auto-lock", "Spec.EncryptionConfig.AutoLockManagers=true"), nil)
	} else {
		add(SwarmAutolock, "swarm", rule.Fail("auto-lock is off: the raft keys sit unencrypted on the managers' disks", "Spec.EncryptionConfig.AutoLockManagers=false"), nil)
	}
	exp := spec.CAConfig.NodeCertExpiry
	switch {
	case exp == 0:
		add(SwarmNodeCertExpiry, "swarm", rule.Pass("swarm's default node certificate lifetime (90 days)", "Spec.CAConfig.NodeCertExpiry unset"), nil)
	case exp <= MaxNodeCertExpiry:
		add(SwarmNodeCertExpiry, "swarm", rule.Pass("node certificates expire within 90 days", "Spec.CAConfig.NodeCertExpiry="+exp.String()), nil)
	default:
		add(SwarmNodeCertExpiry, "swarm", rule.Warn("node certificates live longer than 90 days", "Spec.CAConfig.NodeCertExpiry="+exp.String()), nil)
	}

	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: listing networks: %w", err)
	}
	netFacts := map[string]*NetworkFacts{}
	for _, n := range nets.Items {
		f := &NetworkFacts{Name: n.Name, Driver: n.Driver, Internal: n.Internal, ICC: true}
		if (n.Driver == "bridge" && n.Options[ICCOption] == "false") || n.Driver == "null" || n.Driver == "host" {
			f.ICC = false
		}
		netFacts[n.Name], netFacts[n.ID] = f, f
		if n.Driver != "overlay" {
			continue
		}
		target := "network:" + n.Name
		if v, ok := n.Options[OverlayEncryptedOption]; ok && v != "false" {
			add(SwarmEncryptedOverlay, target, rule.Pass("overlay network is encrypted", fmt.Sprintf("Options[%s]=%q", OverlayEncryptedOption, v)), nil)
		} else {
			what := "overlay network is not encrypted"
			if n.Ingress {
				what = "the ingress (routing mesh) network is not encrypted"
			}
			add(SwarmEncryptedOverlay, target, rule.Fail(what, fmt.Sprintf("Options=%v", n.Options)), nil)
		}
	}

	svcs, err := cli.ServiceList(ctx, client.ServiceListOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: listing services: %w", err)
	}
	for _, svc := range svcs.Items {
		s := SubjectFromService(svc.Spec, host, netFacts)
		if s.Name == "" {
			s.Name = svc.ID
		}
		if img, err := cli.ImageInspect(ctx, s.Config.Image); err == nil {
			facts := ImageFacts{ID: img.ID, RepoDigests: img.RepoDigests}
			if img.Config != nil {
				facts.User = img.Config.User
				facts.Healthcheck = img.Config.Healthcheck != nil && len(img.Config.Healthcheck.Test) > 0 && img.Config.Healthcheck.Test[0] != "NONE"
			}
			s.Image = &facts
		}
		for k, v := range opts.Waivers {
			if _, set := s.Waivers[k]; !set {
				s.Waivers[k] = v
			}
		}
		target := "service:" + s.Name
		add(SwarmRoutingMesh, target, checkRoutingMesh(svc), s.Waivers)
		add(SwarmSecretsInEnv, target, checkSecretsInEnv(svc.Spec), s.Waivers)
		for _, f := range Evaluate(s) {
			f.Target = target
			out = append(out, f)
		}
	}
	return rule.NewReport(out), nil
}

// OverlayEncryptedOption is the overlay driver option that turns on IPsec
// encryption of the network's traffic between nodes.
const OverlayEncryptedOption = "encrypted"

func checkManagers(n int) rule.Result {
	d := fmt.Sprintf("Swarm.Managers=%d", n)
	switch {
	case n > 7:
		return rule.Fail("more than 7 managers: every extra one is attack surface and slows raft", d)
	case n > 1 && n%2 == 0:
		return rule.Fail("an even number of managers adds no fault tolerance", d)
	case n == 1:
		return rule.Pass("a single manager (no manager fault tolerance)", d)
	}
	return rule.Pass("an odd number of managers, at most 7", d)
}

func checkRoutingMesh(svc swarm.Service) rule.Result {
	var ports []swarm.PortConfig
	if svc.Spec.EndpointSpec != nil {
		ports = svc.Spec.EndpointSpec.Ports
	}
	var mesh, host []string
	for _, p := range ports {
		d := fmt.Sprintf("%d->%d/%s", p.PublishedPort, p.TargetPort, p.Protocol)
		if p.PublishMode == swarm.PortConfigPublishModeHost {
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

func checkSecretsInEnv(spec swarm.ServiceSpec) rule.Result {
	var bad []string
	if cs := spec.TaskTemplate.ContainerSpec; cs != nil {
		for _, e := range cs.Env {
			k, _, _ := strings.Cut(e, "=")
			if secretEnvPattern.MatchString(k) {
				bad = append(bad, k)
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("environment variables look like secrets", "Env "+strings.Join(bad, ", "))
	}
	return rule.Pass("no secret-like environment variables", "")
}
