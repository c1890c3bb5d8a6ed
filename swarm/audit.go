package swarm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

// Client is the part of moby's client.APIClient that Deploy and
// Audit use. *client.Client implements it.
type Client interface {
	hardening.Client
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

var _ Client = (*client.Client)(nil)

// AuditOptions adjust Audit. The zero value reads everything from
// the engine.
type AuditOptions struct {
	// Host overrides the host facts read from the engine's /info; they apply
	// to every service (the nodes are assumed configured alike).
	Host *hardening.HostFacts
	// Waivers apply to every service and to the cluster-wide rules, on top
	// of the waivers recorded in each service's io.safedock.waive.* labels.
	Waivers rule.Waivers
}

// Audit checks the swarm the engine behind cli manages: cluster-wide
// rules (manager count, auto-lock, certificate lifetime) under the target
// "swarm", every overlay network ("network:NAME"), and every service
// ("service:NAME") against the swarm rules and against every container rule
// through SubjectFromService. On an engine that is not in a swarm it
// reports swarm.mode as passed and nothing else; on a worker it reports the
// cluster-wide rules as skipped (only managers can answer). It never
// changes anything.
func Audit(ctx context.Context, cli Client, opts AuditOptions) (rule.Report, error) {
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: reading daemon info: %w", err)
	}
	host := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)
	if opts.Host != nil {
		host = *opts.Host
	}
	cat := Rules()
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
	if sw.LocalNodeState == swarmtypes.LocalNodeStateInactive || sw.LocalNodeState == "" {
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
	netFacts := map[string]*hardening.NetworkFacts{}
	for _, n := range nets.Items {
		f := &hardening.NetworkFacts{Name: n.Name, Driver: n.Driver, Internal: n.Internal, ICC: true}
		if (n.Driver == "bridge" && n.Options[hardening.ICCOption] == "false") || n.Driver == "null" || n.Driver == "host" {
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
			facts := hardening.ImageFacts{ID: img.ID, RepoDigests: img.RepoDigests}
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
		for _, f := range hardening.Evaluate(s) {
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

func checkRoutingMesh(svc swarmtypes.Service) rule.Result {
	var ports []swarmtypes.PortConfig
	if svc.Spec.EndpointSpec != nil {
		ports = svc.Spec.EndpointSpec.Ports
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

func checkSecretsInEnv(spec swarmtypes.ServiceSpec) rule.Result {
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
