package swarm

import (
	"context"
	"fmt"

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
	var out []rule.Finding
	add := func(r rule.Rule, target string, res rule.Result, w rule.Waivers) {
		res = opts.Waivers.Apply(r.ID, res)
		res = w.Apply(r.ID, res)
		if res.Method == "" {
			res.Method = "api"
		}
		out = append(out, r.Finding(target, res))
	}
	// judgeScope judges every check of scope sc on f.
	judgeScope := func(sc scope, target string, f *facts, w rule.Waivers) {
		for _, c := range checks {
			if scopes[c.Rule.ID] == sc {
				add(c.Rule, target, c.Judge(f), w)
			}
		}
	}
	f := &facts{info: info.Info.Swarm}
	judgeScope(scopeEngine, "swarm", f, nil)
	if !inSwarm(f.info) {
		return rule.NewReport(out), nil
	}
	if !f.info.ControlAvailable {
		for _, c := range checks {
			if scopes[c.Rule.ID] != scopeEngine {
				add(c.Rule, "swarm", rule.Skip("this engine is a worker: only a manager can answer (run the audit against a manager)"), nil)
			}
		}
		return rule.NewReport(out), nil
	}

	si, err := cli.SwarmInspect(ctx, client.SwarmInspectOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: inspecting the swarm: %w", err)
	}
	f.spec = si.Swarm.Spec
	judgeScope(scopeSwarm, "swarm", f, nil)

	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit swarm: listing networks: %w", err)
	}
	netFacts := map[string]*hardening.NetworkFacts{}
	for _, n := range nets.Items {
		nf := &hardening.NetworkFacts{Name: n.Name, Driver: n.Driver, Internal: n.Internal, ICC: true}
		if (n.Driver == "bridge" && n.Options[hardening.ICCOption] == "false") || n.Driver == "null" || n.Driver == "host" {
			nf.ICC = false
		}
		netFacts[n.Name], netFacts[n.ID] = nf, nf
		if n.Driver != "overlay" {
			continue
		}
		judgeScope(scopeNetwork, "network:"+n.Name, &facts{info: f.info, spec: f.spec, network: n}, nil)
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
			imf := hardening.ImageFacts{ID: img.ID, RepoDigests: img.RepoDigests}
			if img.Config != nil {
				imf.User = img.Config.User
				imf.Healthcheck = img.Config.Healthcheck != nil && len(img.Config.Healthcheck.Test) > 0 && img.Config.Healthcheck.Test[0] != "NONE"
			}
			s.Image = &imf
		}
		for k, v := range opts.Waivers {
			if _, set := s.Waivers[k]; !set {
				s.Waivers[k] = v
			}
		}
		target := "service:" + s.Name
		judgeScope(scopeService, target, &facts{info: f.info, spec: f.spec, service: svc}, s.Waivers)
		for _, fd := range hardening.Evaluate(s) {
			fd.Target = target
			out = append(out, fd)
		}
	}
	return rule.NewReport(out), nil
}
