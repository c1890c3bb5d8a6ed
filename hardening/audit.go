package hardening

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// Inspector fetches one container's inspect. The module root gives Audit a
// faster one for a local daemon (internal/inspect's FastInspector).
type Inspector interface {
	Inspect(ctx context.Context, id string) (*container.InspectResponse, error)
}

// ProcessLister returns the command line of every process of a running
// container and names the method used ("top", "proc", ...).
type ProcessLister interface {
	Processes(ctx context.Context, c *container.InspectResponse) (cmds []string, method string, err error)
}

// TopLister lists processes with the Engine API's ContainerTop, which works
// in images without ps (dockerd runs ps on the host).
type TopLister struct{ Client Client }

// Processes implements ProcessLister.
func (t TopLister) Processes(ctx context.Context, c *container.InspectResponse) ([]string, string, error) {
	res, err := t.Client.ContainerTop(ctx, c.ID, client.ContainerTopOptions{})
	if err != nil {
		return nil, "top", fmt.Errorf("listing processes of %s: %w", strings.TrimPrefix(c.Name, "/"), err)
	}
	col := -1
	for i, title := range res.Titles {
		if title == "CMD" || title == "COMMAND" {
			col = i
		}
	}
	if col < 0 {
		return nil, "top", fmt.Errorf("listing processes of %s: no CMD column in %v", strings.TrimPrefix(c.Name, "/"), res.Titles)
	}
	var cmds []string
	for _, p := range res.Processes {
		if col < len(p) {
			cmds = append(cmds, strings.Join(p[col:], " "))
		}
	}
	return cmds, "top", nil
}

// AuditOptions adjust Audit. The zero value audits running containers with
// facts read from the daemon.
type AuditOptions struct {
	// All includes stopped containers (docker ps -a).
	All bool
	// Concurrency bounds the inspects in flight (AutoConcurrency when not
	// positive), and apart from them the evaluations, whose process
	// listings may be ContainerTop calls.
	Concurrency int
	// Host overrides the host facts read from the daemon's /info.
	Host *HostFacts
	// HostFunc, when Host is nil, supplies the host facts. Audit calls it
	// only to evaluate a container whose inspect is in hand, and the
	// inspects go on while evaluations wait for it, so a caller that
	// already has /info in flight (it takes tens of milliseconds on dockerd
	// 20.10) lets the list and inspects overlap it. It must be safe for concurrent
	// use and return the same answer every time (sync.OnceValues).
	HostFunc func() (HostFacts, error)
	// Processes lists the processes of running containers (default: TopLister).
	Processes ProcessLister
	// Inspector fetches each container's inspect (default: cli's
	// ContainerInspect). A fast inspector on the same client
	// (internal/inspect) cut the whole audit's CPU by about 30% at 200
	// containers.
	Inspector Inspector
	// Waivers apply to every container, on top of the waivers recorded in
	// each container's io.safedock.waive.* labels. They are the caller's
	// own decision, given in code, and are not judged by WaiverFile.
	Waivers rule.Waivers
	// WaiverFile, when set, lists the approved waivers: a waiver a
	// container's label claims holds only when an entry approves it (an
	// unapproved or expired one is a failure), and an entry may waive a
	// rule for a container that claims nothing. Without it, label waivers
	// hold and are counted in Summary.WaivedUnapproved.
	WaiverFile *rule.WaiverFile
	// Now is when waiver expiry is judged (nil: time.Now).
	Now func() time.Time
}

// Audit checks the containers on the daemon behind cli against every
// container rule and returns the report. It makes one /info call (in
// parallel with the rest, unless Host or HostFunc supplies the facts), one
// container list, one network list, then one inspect per container (and one
// process listing per running container), with bounded concurrency. It
// never changes anything on the daemon.
//
// A container that could not be inspected (other than one removed since
// the list) contributes no findings, and Audit then returns the report of
// the others together with an error holding a *rule.IncompleteError (Failed
// of Total containers, and why); errors.Is(err, rule.ErrIncomplete) holds.
// The same happens when ctx ends before every container was examined
// (errors.Is(err, context.DeadlineExceeded) or context.Canceled then holds
// too). Callers must treat such a report as incomplete, never as clean:
//
//	rep, err := hardening.Audit(ctx, cli, opts)
//	var inc *rule.IncompleteError
//	switch {
//	case errors.As(err, &inc): // rep covers Total-Failed containers
//	case err != nil: // nothing was audited (the list failed)
//	}
//
// Any other error (the container or network list, the host facts) comes
// with an empty report.
func Audit(ctx context.Context, cli Client, opts AuditOptions) (rule.Report, error) {
	hostFn := opts.HostFunc
	switch {
	case opts.Host != nil:
		h := *opts.Host
		hostFn = func() (HostFacts, error) { return h, nil }
	case hostFn == nil:
		hostFn = sync.OnceValues(func() (HostFacts, error) {
			info, err := cli.Info(ctx, client.InfoOptions{})
			if err != nil {
				return HostFacts{}, fmt.Errorf("reading daemon info: %w", err)
			}
			// A local daemon's host paths are resolved on this machine.
			return HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions).ForDaemon(cli, info.Info), nil
		})
		go hostFn() // overlap /info with the list and the inspects
	}
	// The container list and the network list are independent: ask both at once.
	var (
		list    client.ContainerListResult
		nets    client.NetworkListResult
		netErr  error
		netDone = make(chan struct{})
	)
	go func() {
		defer close(netDone)
		nets, netErr = cli.NetworkList(ctx, client.NetworkListOptions{})
	}()
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: opts.All})
	<-netDone
	if err != nil {
		return rule.Report{}, fmt.Errorf("audit containers: listing containers: %w", err)
	}
	if netErr != nil {
		return rule.Report{}, fmt.Errorf("audit containers: listing networks: %w", netErr)
	}
	netFacts := networkFacts(nets.Items)
	lister := opts.Processes
	if lister == nil {
		lister = TopLister{Client: cli}
	}
	a := containerAudit{ctx: ctx, cli: cli, hostFn: hostFn, nets: netFacts, lister: lister, waivers: opts.Waivers, inspector: opts.Inspector,
		policy: rule.WaiverPolicy{File: opts.WaiverFile, Now: opts.Now}}
	// failed[i] is why container i was not examined; each index is written
	// by the one evaluator that has it, and read after the pipeline.
	failed := make([]error, len(list.Items))
	all := pipeline(len(list.Items), opts.Concurrency, func(i int) inspectedContainer {
		return a.inspect(list.Items[i].ID)
	}, func(i int, in inspectedContainer) []rule.Finding {
		fs, err := a.evaluate(summaryName(list.Items[i]), in)
		failed[i] = err
		return fs
	})
	if _, err := hostFn(); err != nil && ctx.Err() == nil {
		return rule.Report{}, fmt.Errorf("audit containers: %w", err)
	}
	// all is this function's own slice: sort it in place rather than have
	// NewReport copy every finding once more.
	rule.SortFindings(all)
	rep := rule.Report{Findings: all, Summary: rule.Summarize(all)}
	inc := &rule.IncompleteError{What: "containers", Total: len(list.Items)}
	for _, err := range failed {
		if err != nil {
			inc.Failed++
			inc.Errs = append(inc.Errs, err)
		}
	}
	if inc.Failed > 0 {
		err := fmt.Errorf("audit containers: %w", inc)
		return rep.WithGaps(rule.GapFrom("containers", err)), err
	}
	return rep, nil
}

// networkFacts maps every network's name and ID to what the rules need.
func networkFacts(items []network.Summary) map[string]*NetworkFacts {
	netFacts := map[string]*NetworkFacts{}
	for _, n := range items {
		f := &NetworkFacts{Name: n.Name, Driver: n.Driver, Internal: n.Internal, ICC: true}
		if n.Driver == "bridge" && n.Options[ICCOption] == "false" {
			f.ICC = false
		}
		if n.Driver == "null" || n.Driver == "host" {
			f.ICC = false
		}
		netFacts[n.Name] = f
		netFacts[n.ID] = f
	}
	return netFacts
}

func summaryName(s container.Summary) string {
	if len(s.Names) > 0 {
		return strings.TrimPrefix(s.Names[0], "/")
	}
	return s.ID[:min(12, len(s.ID))]
}

// containerAudit is what every container of one Audit shares.
type containerAudit struct {
	ctx       context.Context
	cli       Client
	hostFn    func() (HostFacts, error)
	nets      map[string]*NetworkFacts
	lister    ProcessLister
	waivers   rule.Waivers
	inspector Inspector
	policy    rule.WaiverPolicy
}

// inspectedContainer is one container's inspect, or why there is none.
type inspectedContainer struct {
	c   *container.InspectResponse
	err error
}

// inspect is the fetch stage: one inspect.
func (a *containerAudit) inspect(id string) inspectedContainer {
	if err := a.ctx.Err(); err != nil {
		return inspectedContainer{err: err} // cancelled: Audit reports it
	}
	if a.inspector != nil {
		c, err := a.inspector.Inspect(a.ctx, id)
		return inspectedContainer{c: c, err: err}
	}
	res, err := a.cli.ContainerInspect(a.ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return inspectedContainer{err: err}
	}
	return inspectedContainer{c: &res.Container}
}

// evaluate is the second stage: the processes of a running container (from
// the /proc snapshot, or a ContainerTop bounded by the evaluators' number),
// then the host facts, then every container rule, then the waivers. The
// error says why the container could not be examined (it then has no
// findings); a container removed since the list has neither.
func (a *containerAudit) evaluate(name string, in inspectedContainer) ([]rule.Finding, error) {
	if in.err != nil {
		if cerrdefs.IsNotFound(in.err) && a.ctx.Err() == nil {
			return nil, nil // removed between list and inspect
		}
		return nil, fmt.Errorf("container %s: %w", name, in.err)
	}
	if err := a.ctx.Err(); err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	running := in.c.State != nil && in.c.State.Running
	var (
		cmds     []string
		method   string
		procsErr error
	)
	if running {
		cmds, method, procsErr = a.lister.Processes(a.ctx, in.c)
	}
	host, err := a.hostFn()
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	if err := a.ctx.Err(); err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	s := SubjectFromInspect(in.c, host, a.nets)
	// The label waivers are claims: the policy judges them below. Only the
	// caller's own waivers apply directly.
	claims := s.Waivers
	s.Waivers = rule.Waivers{}
	for k, v := range a.waivers {
		s.Waivers[k] = v
	}
	if running && procsErr == nil {
		s.Processes, s.ProcessesKnown, s.ProcessMethod = cmds, true, method
	}
	fs := Evaluate(s)
	for i := range fs {
		f := &fs[i]
		if _, own := a.waivers[f.Rule]; own {
			continue
		}
		claim := claims[f.Rule]
		if claim == "" && a.policy.File == nil {
			continue
		}
		res := a.policy.Judge(f.Rule, f.Target, claim, rule.Result{Status: f.Status, Reason: f.Reason, Detail: f.Detail, Method: f.Method})
		f.Status, f.Reason, f.Detail, f.Method, f.Waiver = res.Status, res.Reason, res.Detail, res.Method, res.Waiver
	}
	return fs, nil
}

// SubjectFromInspect turns an inspectedContainer container into the subject the
// rules evaluate. nets maps network names and IDs to their facts; waivers
// come from the container's io.safedock.waive.* labels.
func SubjectFromInspect(c *container.InspectResponse, host HostFacts, nets map[string]*NetworkFacts) *Subject {
	s := &Subject{
		Name:            strings.TrimPrefix(c.Name, "/"),
		Config:          c.Config,
		HostConfig:      c.HostConfig,
		AppArmorProfile: c.AppArmorProfile,
		ImageID:         c.Image,
		// The daemon merges the image's config (User, Healthcheck,
		// ExposedPorts) into the container's Config at create time.
		Image:     &ImageFacts{ID: c.Image},
		Host:      host,
		Waivers:   rule.Waivers{},
		inspected: true,
	}
	if s.Config == nil {
		s.Config = &container.Config{}
	}
	if s.HostConfig == nil {
		s.HostConfig = &container.HostConfig{}
	}
	if c.State != nil {
		s.Running = c.State.Running
	}
	for _, m := range c.Mounts {
		s.Mounts = append(s.Mounts, Mount{Type: m.Type, Source: m.Source, Destination: m.Destination, RW: m.RW, Propagation: m.Propagation})
	}
	for dst, opts := range s.HostConfig.Tmpfs {
		s.Mounts = append(s.Mounts, Mount{Type: mount.TypeTmpfs, Destination: dst, RW: !hasOpt(opts, "ro"), Options: opts})
	}
	if c.NetworkSettings != nil && len(c.NetworkSettings.Networks) > 0 {
		s.Networks = map[string]*NetworkFacts{}
		for n, ep := range c.NetworkSettings.Networks {
			f := nets[n]
			if f == nil && ep != nil {
				f = nets[ep.NetworkID]
			}
			s.Networks[n] = f
		}
	}
	for k, v := range s.Config.Labels {
		if id, ok := strings.CutPrefix(k, LabelWaivePrefix); ok {
			s.Waivers[rule.ID(id)] = v
		}
	}
	return s
}
