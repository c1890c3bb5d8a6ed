package safedock

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/internal/inspect"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/podmanconf"
	"github.com/safedock/safedock/rule"
)

// Section names one part of the whole-host audit (rule.Section).
type Section = rule.Section

// Sections, in report order (rule's constants).
const (
	SectionHost       = rule.SectionHost
	SectionAuditd     = rule.SectionAuditd
	SectionDaemon     = rule.SectionDaemon
	SectionFiles      = rule.SectionFiles
	SectionImages     = rule.SectionImages
	SectionContainers = rule.SectionContainers
)

// AllSections lists every section in report order (rule.AllSections).
func AllSections() []Section { return rule.AllSections() }

// ParseSection checks a section name (rule.ParseSection).
func ParseSection(s string) (Section, error) { return rule.ParseSection(s) }

// SectionOf returns the section a rule's findings belong to, from the rule
// ID's area (rule.SectionOf).
func SectionOf(id rule.ID) Section { return rule.SectionOf(id) }

// Client is what the whole-host audit needs from the Engine API.
// *client.Client implements it.
type Client interface {
	hardening.Client
	ImageList(ctx context.Context, options client.ImageListOptions) (client.ImageListResult, error)
}

// Options select and tune the audit. The zero value audits every section of
// this machine through the daemon named by DOCKER_HOST (or the default socket).
type Options struct {
	// Client talks to the daemon; nil connects like the docker CLI does.
	Client Client
	// Root is the filesystem examined as "/" (default "/").
	Root string
	// Only restricts the audit to these sections; Skip removes sections.
	Only, Skip []Section
	// All includes stopped containers.
	All bool
	// Concurrency bounds concurrent inspects (hardening.AutoConcurrency
	// when not positive: 2 per CPU, at most 8).
	Concurrency int
	// Inspector fetches container inspects. When Client is nil, Audit
	// creates the client and, for a local daemon, a fast inspector on it
	// (about 30% less CPU for the whole audit at 200 containers); otherwise the default is Client's
	// ContainerInspect, so that the caller's hooks and tracing see every
	// request.
	Inspector hardening.Inspector
	// Processes lists running containers' processes (default: this host's
	// /proc for a local daemon, falling back to ContainerTop per container
	// that /proc does not show; ContainerTop for a remote daemon).
	Processes hardening.ProcessLister
	// TrustedUsers are the users allowed in the Docker socket's group.
	TrustedUsers []string
	// Remote marks a daemon on another machine: the host, auditd, daemon and
	// files sections would examine this machine instead, so they are skipped.
	// Unset, it is derived from the client's host (DOCKER_HOST): tcp:// or
	// ssh:// is remote.
	Remote *bool
	// Waivers, when set, is the approved-waivers file: a waiver claimed by a
	// container's io.safedock.waive.<rule> label holds only when an entry
	// approves it, and entries may waive any section's rules for targets
	// that claim nothing (see hardening.AuditOptions.WaiverFile). Without
	// it, label waivers hold and the summary counts them in
	// WaivedUnapproved.
	Waivers *rule.WaiverFile
	// Now is when waiver expiry is judged (nil: time.Now).
	Now func() time.Time
	// EarlyInfo, when set, answers the audit's first /info in place of a
	// request of its own: the answer of the daemon at daemonHost (the
	// client's, as in DOCKER_HOST) to an /info request sent before Audit
	// was called, and the API version the daemon served it at (its
	// Api-Version header). It must return an error when it holds no answer
	// from that daemon. safedock's CLI sends one while it starts. Audit
	// uses the answer only when served equals the API version the client
	// negotiates, and otherwise, or on an error, asks the daemon again.
	EarlyInfo func(ctx context.Context, daemonHost string) (info *system.Info, served string, err error)
}

// SectionResult says how one section went (rule.SectionResult).
type SectionResult = rule.SectionResult

// Report is the whole-host audit: the usual findings and summary (the JSON
// shape every safedock audit shares), plus how each section went.
type Report struct {
	rule.Report
	Sections []SectionResult `json:"sections"`
}

// Incomplete reports whether any section is incomplete.
func (r Report) Incomplete() bool {
	for _, s := range r.Sections {
		if s.Incomplete || s.Error != "" {
			return true
		}
	}
	return !r.Report.Complete()
}

// stopGrace is how long Audit waits, once ctx is done, for the sections
// still running to hand back what they finished.
const stopGrace = 2 * time.Second

// Audit examines the Docker host: host facts, auditd rules, the daemon's
// configuration, its files, its images and its containers. Each input is
// gathered once and handed to every section that needs it: daemon.json,
// /etc/passwd and /etc/group, the mount table and the running dockerd's
// command line are read once through the root (no lookup leaves it); the
// daemon is asked once for /info, the container list, the network list, the
// image list, one inspect per container and per image. The sections run
// concurrently. Audit changes nothing.
//
// Incomplete is not clean. A section that cannot run, a target that could
// not be inspected, or a ctx that ends first (a timeout, an interrupt)
// makes the report incomplete: the sections say which and why, the
// findings cover only what was examined, and Audit returns the report
// together with an error holding a *rule.IncompleteError (errors.Is(err,
// rule.ErrIncomplete); after a timeout errors.Is(err,
// context.DeadlineExceeded) too). When ctx ends, Audit returns within a
// couple of seconds with what finished. Other errors (bad options) come
// with an empty report.
func Audit(ctx context.Context, opts Options) (Report, error) {
	selected, err := selectSections(opts.Only, opts.Skip)
	if err != nil {
		return Report{}, err
	}
	root := opts.Root
	if root == "" {
		root = "/"
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = hardening.AutoConcurrency()
	}
	cli := opts.Client
	inspector := opts.Inspector
	if cli == nil && needsDaemon(selected) {
		c, err := client.New(client.FromEnv)
		if err != nil {
			return Report{}, fmt.Errorf("audit: connecting to the Docker daemon: %w", err)
		}
		defer c.Close()
		cli = c
		if inspector == nil {
			// A daemon that is not local keeps the client's own
			// ContainerInspect.
			if fi, err := inspect.NewFastInspector(c, opts.Concurrency); err == nil {
				defer fi.Close()
				inspector = fi
			}
		}
	}
	daemonHost := os.Getenv("DOCKER_HOST")
	if h, ok := cli.(interface{ DaemonHost() string }); ok {
		daemonHost = h.DaemonHost()
	}
	remote := strings.HasPrefix(daemonHost, "tcp://") || strings.HasPrefix(daemonHost, "ssh://")
	if opts.Remote != nil {
		remote = *opts.Remote
	}
	clientSocket := "" // the unix socket the client talks to, if any
	if p, ok := strings.CutPrefix(daemonHost, "unix://"); ok {
		clientSocket = p
	}

	// Whether the client's API version was pinned before any negotiation
	// (DOCKER_API_VERSION), read before any request can negotiate it.
	pinned := false
	if v, ok := cli.(interface{ ClientVersion() string }); ok {
		pinned = v.ClientVersion() != client.MaxAPIVersion
	}

	// Each shared input is gathered once, started now, and waited for only
	// by the sections that need it: the daemon's /info (tens of
	// milliseconds on dockerd 20.10, which runs runc and containerd to
	// answer it) overlaps the container and image inspects.
	// Negotiate the API version once, before the concurrent requests:
	// otherwise each of the first requests in flight sends its own /_ping
	// (and they race on the client's version). Every daemon request waits
	// for it; the host-side inputs do not. A failed ping is not an error
	// here: the requests that follow report the unreachable daemon.
	negotiate := sync.OnceFunc(func() {
		if p, ok := cli.(pinger); ok {
			_, _ = p.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		}
	})
	infoDone := make(chan struct{}) // closed once /info has answered or failed
	infoF := sync.OnceValues(func() (*system.Info, error) {
		// Closed before any caller gets the answer, so a section that
		// used /info is never followed by a report without it.
		defer close(infoDone)
		if cli == nil {
			return nil, errors.New("no daemon client")
		}
		if info, ok := earlyInfo(ctx, opts.EarlyInfo, inspector, cli, pinned, negotiate); ok {
			return info, nil
		}
		negotiate()
		res, err := cli.Info(ctx, client.InfoOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading daemon info: %w", err)
		}
		return &res.Info, nil
	})
	// Which engine answers (dockerd, Podman) decides how its
	// configuration and files are judged: from /version and /info.
	versionF := sync.OnceValue(func() *client.ServerVersionResult {
		if cli == nil {
			return nil
		}
		negotiate()
		return serverVersion(ctx, cli)
	})
	// /version is asked only when /info leaves the engine in doubt (see
	// NeedsVersion): on dockerd 20.10 it runs runc and containerd again and
	// slows the /info every section waits for.
	engineF := sync.OnceValue(func() Engine {
		info, _ := infoF()
		if !NeedsVersion(info) {
			return IdentifyEngine(nil, info)
		}
		return IdentifyEngine(versionF(), info)
	})
	// Which files are the daemon's depends on the daemon: a rootless one
	// keeps them in its user's home (gatherHost), so the host side waits
	// for /info when there is a daemon to ask.
	// The usual (rootful) gather starts at once, beside /info, and is
	// used unless /info says the daemon is rootless; then the host side
	// is gathered again from the user's paths.
	rootfulF := sync.OnceValues(func() (*hostInputs, error) { return gatherHost(root, clientSocket, nil) })
	hostF := sync.OnceValues(func() (*hostInputs, error) {
		var info *system.Info
		if cli != nil {
			info, _ = infoF()
		}
		if !IsRootless(info) {
			return rootfulF()
		}
		return gatherHost(root, clientSocket, info)
	})
	auditRulesF := sync.OnceValues(func() ([]byte, error) { return host.ActiveAuditRules(ctx) })
	// Every input starts now, /info (the slowest: dockerd 20.10 runs runc
	// and docker-init to answer it) first; auditctl is a child process,
	// milliseconds to spawn.
	if cli != nil {
		go infoF()
	}
	hostSide := !remote && (slices.Contains(selected, SectionFiles) || slices.Contains(selected, SectionDaemon) || slices.Contains(selected, SectionHost) || slices.Contains(selected, SectionAuditd))
	// The container rules take facts from daemon.json and dockerd's
	// command line when the daemon runs on this machine.
	containersLocal := !remote && root == "/" && clientSocket != "" && slices.Contains(selected, SectionContainers)
	if hostSide || containersLocal {
		go rootfulF()
		go hostF()
	}
	if !remote && root == "/" && (slices.Contains(selected, SectionHost) || slices.Contains(selected, SectionAuditd)) {
		go auditRulesF()
	}

	type hostOutcome struct {
		rep rule.Report
		err error
		gap string // why the report is partial, "" when it is not
	}
	runHost := sync.OnceValue(func() hostOutcome {
		in, err := hostF()
		if err != nil {
			return hostOutcome{err: err}
		}
		info, infoErr := infoF() // without /info, host skips the engine checks
		in.gatherPaths(host.InfoPaths(info)...)
		hin := host.Inputs{Root: root, Info: info, TrustedUsers: opts.TrustedUsers, Facts: &in.Facts, DockerdArgs: in.dockerdArgs()}
		if cli != nil && engineF().Kind == EnginePodman {
			// The auditd rules judge Podman's files, and its socket.
			hin.Podman, hin.Socket = true, clientSocket
		}
		if root == "/" {
			if rules, err := auditRulesF(); err == nil {
				hin.ActiveAuditRules = rules
			}
		}
		rep, err := host.Check(hin)
		o := hostOutcome{rep: rep, err: err}
		if infoErr != nil {
			o.gap = "the engine checks could not run: " + infoErr.Error()
		}
		return o
	})

	type outcome struct {
		i   int
		res SectionResult
		rep rule.Report
	}
	done := make(chan outcome, len(selected))
	for i, sec := range selected {
		go func() {
			start := time.Now()
			res := SectionResult{Section: sec}
			var rep rule.Report
			var err error
			switch {
			case remote && sec != SectionImages && sec != SectionContainers:
				res.Skipped = remoteSkipReason(daemonHost)
				rep = notApplicableRemote(sec, daemonHost)
				if sec == SectionDaemon {
					// CIS 2.1 needs no host file: the daemon's /info says.
					info, _ := infoF()
					rep = withRemoteRootless(rep, info, "daemon:"+daemonHost)
				}
			case sec == SectionHost || sec == SectionAuditd:
				o := runHost()
				rep, err = filterSection(o.rep, sec), o.err
				if sec == SectionHost && engineF().Kind == EnginePodman {
					rep = podmanHost(rep)
				}
				if err == nil && o.gap != "" && sec == SectionHost {
					err = errors.New(o.gap)
				}
			case sec == SectionFiles:
				var in *hostInputs
				if in, err = hostF(); err == nil {
					if engineF().Kind == EnginePodman {
						rep = auditPodmanFiles(in)
					} else {
						rep, err = perms.Check(perms.Config{Root: root, Facts: &in.Facts, Rootless: in.RootlessOwner})
					}
				}
			case sec == SectionDaemon:
				var in *hostInputs
				if in, err = hostF(); err == nil {
					info, infoErr := infoF() // the engine version, when the daemon answers
					if e := engineF(); e.Kind == EnginePodman {
						rep = auditPodmanConfig(in, e)
					} else {
						rep, err = auditDaemonConfig(in, info)
					}
					if err == nil {
						// CIS 2.1: whether the daemon runs rootless, from /info.
						rep = rule.NewReport(append(rep.Findings, judgeRootless(info, infoErr, "daemon:"+daemonHost)))
					}
				}
			case sec == SectionImages:
				negotiate()
				rep, err = hardening.AuditImages(ctx, cli, opts.Concurrency)
				rep, err = imageGaps(rep, err)
			case sec == SectionContainers:
				hostFn := sync.OnceValues(func() (hardening.HostFacts, error) {
					info, err := infoF()
					if err != nil {
						return hardening.HostFacts{}, err
					}
					h := hardening.HostFacts{}.FromSecurityOptions(info.SecurityOptions)
					if containersLocal {
						// Host paths are resolved here: symlinks, "..",
						// /usr aliases, sockets by device and inode.
						h = h.ForDaemon(cli, *info)
						if in, err := hostF(); err == nil {
							h = in.containerFacts(h, clientSocket, engineF())
						}
					}
					return h, nil
				})
				negotiate()
				procs := opts.Processes
				if procs == nil && !remote {
					procs = inspect.NewProcLister(hardening.TopLister{Client: cli})
				}
				rep, err = hardening.Audit(ctx, cli, hardening.AuditOptions{All: opts.All, Concurrency: opts.Concurrency, HostFunc: hostFn, Processes: procs, Inspector: inspector,
					WaiverFile: opts.Waivers, Now: opts.Now})
			}
			if err != nil {
				res.Incomplete = true
				res.Error = err.Error()
				var inc *rule.IncompleteError
				if errors.As(err, &inc) {
					res.Failed, res.Total = inc.Failed, inc.Total
				}
			}
			res.Findings = len(rep.Findings)
			res.Duration = time.Since(start)
			done <- outcome{i, res, rep}
		}()
	}

	results := make([]SectionResult, len(selected))
	reports := make([]rule.Report, len(selected))
	finished := make([]bool, len(selected))
	// Once ctx is done, the sections still running get stopGrace to hand
	// back what they have; the rest are reported unfinished.
	var stop <-chan time.Time
	ctxDone := ctx.Done()
	for pending := len(selected); pending > 0; {
		select {
		case o := <-done:
			results[o.i], reports[o.i], finished[o.i] = o.res, o.rep, true
			pending--
		case <-ctxDone:
			stop, ctxDone = time.After(stopGrace), nil
		case <-stop:
			pending = 0
		}
	}
	for i, sec := range selected {
		if !finished[i] {
			results[i] = SectionResult{Section: sec, Incomplete: true, Error: fmt.Sprintf("not finished when the audit stopped: %v", ctx.Err())}
		}
	}
	// Each section's report is already sorted; sections keep their fixed
	// order, so concatenating keeps the whole deterministic without sorting
	// every finding again.
	total := 0
	for _, r := range reports {
		total += len(r.Findings)
	}
	all := make([]rule.Finding, 0, total)
	for _, r := range reports {
		all = append(all, r.Findings...)
	}
	// The container audit judged its label waivers with the file already;
	// the other sections have no labels, but the file may waive their
	// findings too.
	policy := rule.WaiverPolicy{File: opts.Waivers, Now: opts.Now}
	for i, f := range all {
		if f.Method == "" {
			all[i].Method = defaultMethod(SectionOf(f.Rule))
		}
		if opts.Waivers != nil && SectionOf(f.Rule) != SectionContainers {
			res := policy.Judge(f.Rule, f.Target, "", rule.Result{Status: f.Status, Reason: f.Reason, Detail: f.Detail, Method: all[i].Method})
			all[i].Status, all[i].Reason, all[i].Detail, all[i].Method, all[i].Waiver = res.Status, res.Reason, res.Detail, res.Method, res.Waiver
		}
	}
	out := Report{Report: rule.Report{Findings: all, Summary: rule.Summarize(all)}, Sections: results}
	// Who: this machine and, when /info answered, the daemon. Never waits
	// for a daemon that has not answered.
	var info *system.Info
	select {
	case <-infoDone:
		info, _ = infoF()
	default:
	}
	var v *client.ServerVersionResult
	if info != nil && NeedsVersion(info) {
		v = versionF()
	}
	out.Report.Host = EngineHostIdentity(info, IdentifyEngine(v, info), remote)
	if remote {
		out.Report.Host.Address = daemonHost
	}
	inc := &rule.IncompleteError{What: "sections", Verb: "audited", Total: len(selected)}
	var gaps []rule.Gap
	for _, r := range results {
		if r.Incomplete {
			inc.Failed++
			inc.Errs = append(inc.Errs, fmt.Errorf("%s: %s", r.Section, r.Error))
			gaps = append(gaps, rule.Gap{Section: string(r.Section), Failed: r.Failed, Total: r.Total, Reason: r.Error})
		}
	}
	if inc.Failed == 0 {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		inc.Errs = append(inc.Errs, err)
	}
	out.Report = out.Report.WithGaps(gaps...)
	return out, fmt.Errorf("audit: %w", inc)
}

// earlyInfo gets /info without waiting for the version negotiation: from
// early (an answer to a request sent before the audit began), or else, when
// the audit talks to a local daemon through a FastInspector, by a request
// sent beside the negotiating ping instead of after it. On dockerd 20.10
// /info is the slowest request and every section waits for it. The answer
// counts (ok) only if the daemon served it at the API version the client
// then negotiated; otherwise (another version, no version stated, any
// error) the caller asks again through the client, which reports errors as
// usual.
//
// pinned says the client's version was fixed before any negotiation
// (DOCKER_API_VERSION): there is no ping to overlap then, and the client
// asks at that version. The client's version is read only after negotiate
// returns: before, a concurrent negotiation may be writing it.
func earlyInfo(ctx context.Context, early func(context.Context, string) (*system.Info, string, error), inspector hardening.Inspector, cli Client, pinned bool, negotiate func()) (*system.Info, bool) {
	v, ok := cli.(interface {
		ClientVersion() string
		DaemonHost() string
	})
	if !ok || pinned {
		return nil, false
	}
	fi, fast := inspector.(*inspect.FastInspector)
	if early == nil && !fast {
		return nil, false
	}
	go negotiate()
	var info *system.Info
	var served string
	var err error
	if early != nil {
		info, served, err = early(ctx, v.DaemonHost())
	}
	if (early == nil || err != nil) && fast {
		info, served, err = fi.Info(ctx)
	}
	negotiate()
	if err != nil || served == "" || served != strings.TrimPrefix(v.ClientVersion(), "v") {
		return nil, false
	}
	return info, true
}

// imageGaps turns the image audit's "inspect failed" skips into what they
// are: images that were not examined. Their findings are dropped and the
// error holds a *rule.IncompleteError with the counts.
func imageGaps(rep rule.Report, err error) (rule.Report, error) {
	if err != nil {
		return rep, err
	}
	all, bad := map[string]bool{}, map[string]error{}
	var kept []rule.Finding
	for _, f := range rep.Findings {
		all[f.Target] = true
		if f.Status == rule.StatusSkip && strings.HasPrefix(f.Reason, "inspect failed: ") {
			if bad[f.Target] == nil {
				bad[f.Target] = fmt.Errorf("%s: %s", f.Target, f.Reason)
			}
			continue
		}
		kept = append(kept, f)
	}
	if len(bad) == 0 {
		return rep, nil
	}
	inc := &rule.IncompleteError{What: "images", Failed: len(bad), Total: len(all)}
	for _, t := range slices.Sorted(maps.Keys(bad)) {
		inc.Errs = append(inc.Errs, bad[t])
	}
	rep = rule.NewReport(kept)
	return rep, fmt.Errorf("audit images: %w", inc)
}

// pinger is the part of *client.Client that negotiates the API version.
type pinger interface {
	Ping(ctx context.Context, options client.PingOptions) (client.PingResult, error)
}

func defaultMethod(s Section) string {
	switch s {
	case SectionHost:
		return "host files, /proc and the daemon's /info"
	case SectionAuditd:
		return "auditctl -l or persisted audit rules"
	case SectionDaemon:
		return "daemon.json and dockerd's command line"
	case SectionFiles:
		return "lstat without following symlinks"
	case SectionImages:
		return "inspect"
	}
	return "inspect"
}

func needsDaemon(secs []Section) bool {
	for _, s := range secs {
		if s == SectionImages || s == SectionContainers || s == SectionHost || s == SectionDaemon {
			return true
		}
	}
	return false
}

func selectSections(only, skip []Section) ([]Section, error) {
	for _, s := range slices.Concat(only, skip) {
		if _, err := ParseSection(string(s)); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	var out []Section
	for _, s := range AllSections() {
		if len(only) > 0 && !slices.Contains(only, s) {
			continue
		}
		if slices.Contains(skip, s) {
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("audit: --only and --skip leave no section to run")
	}
	return out, nil
}

func filterSection(r rule.Report, sec Section) rule.Report {
	var fs []rule.Finding
	for _, f := range r.Findings {
		if SectionOf(f.Rule) == sec {
			fs = append(fs, f)
		}
	}
	return rule.NewReport(fs)
}

// auditDaemonConfig validates the daemon.json the running daemon uses (as
// gathered: read once, through the root), together with its command line,
// for the engine version it reports.
func auditDaemonConfig(in *hostInputs, info *system.Info) (rule.Report, error) {
	d := in.Facts.Daemon
	// The host-dependent checks (users, files, runtimes, plugins, storage
	// drivers, addresses, socket activation) are judged against the
	// audited root itself, as dockerd on it would find them: from the
	// facts gathered once through the root (gatherHost), never read here.
	opts := daemonconf.Options{DockerdArgs: in.dockerdArgs(), Target: "file:" + d.ConfigFile, Host: daemonconf.HostFactsFrom(&in.Facts)}
	if info != nil {
		if v, err := daemonconf.ParseVersion(info.ServerVersion); err == nil {
			opts.Version = v
		}
		// A swarm node refuses live-restore at boot (CIS 2.15 is judged so).
		st := info.Swarm.LocalNodeState
		opts.Host.SwarmActive = st != "" && st != "inactive"
	}
	data := in.Facts.DaemonJSON
	switch {
	case data != nil:
	case d.ConfigErr != nil:
		return rule.Report{}, fmt.Errorf("reading daemon.json: %w", d.ConfigErr)
	default:
		// No file: dockerd runs on its defaults (and its flags).
		data = []byte("{}")
		opts.Target = "file:" + d.ConfigFile + " (absent: defaults)"
	}
	return judgeRunningDriver(daemonconf.Validate(data, opts).Report(), info), nil
}

// Rules returns every rule the whole-host audit can report, in section
// order: host and auditd, daemon, files, images, containers. Renderers such
// as SARIF use it to describe the rules.
func Rules() rule.Catalog {
	return slices.Concat(host.Rules(), daemonconf.Rules(), rootlessRules(), podmanconf.Rules(), perms.Rules(), hardening.ImageRules(), hardening.Rules())
}

// HostIdentity names the audited host for a report: the daemon's own name,
// ID and version from its /info when it answered (info non-nil), else, for
// a daemon on this machine (remote false), this machine's hostname.
func HostIdentity(info *system.Info, remote bool) *rule.HostIdentity {
	return EngineHostIdentity(info, IdentifyEngine(nil, info), remote)
}

// EngineHostIdentity is HostIdentity naming the engine e identified
// (IdentifyEngine), e.g. "Podman Engine" 4.3.1.
func EngineHostIdentity(info *system.Info, e Engine, remote bool) *rule.HostIdentity {
	h := &rule.HostIdentity{}
	if !remote {
		h.Hostname, _ = os.Hostname()
	}
	if info != nil {
		if info.Name != "" {
			h.Hostname = info.Name
		}
		// Podman (4.3) answers /info with a fresh random ID on every
		// call: no identity to key fingerprints on, so the hostname is.
		if e.Kind != EnginePodman {
			h.DaemonID = info.ID
		}
		h.EngineVersion = info.ServerVersion
		if e.Version != "" {
			h.EngineVersion = e.Version
		}
		h.Engine = e.Product
	}
	return h
}

// RemoteSkipPrefix starts the reason of every section, and every finding,
// that a remote audit does not run: those that examine the files and
// processes of the machine safedock runs on, not the daemon's.
const RemoteSkipPrefix = "not applicable to a remote daemon"

func remoteSkipReason(daemonHost string) string {
	where := "the daemon"
	if daemonHost != "" {
		where = "the daemon at " + daemonHost
	}
	return RemoteSkipPrefix + ": this section examines the files and processes of the machine safedock runs on, not those of " + where + "; run safedock on the daemon's host"
}

// notApplicableRemote reports every rule of the host-side section sec as
// skipped for the remote daemon at daemonHost: each CIS control it
// covers is named as not examined, never passed.
func notApplicableRemote(sec Section, daemonHost string) rule.Report {
	target := "daemon:" + daemonHost
	reason := remoteSkipReason(daemonHost)
	var fs []rule.Finding
	for _, r := range Rules() {
		if SectionOf(r.ID) != sec {
			continue
		}
		fs = append(fs, r.Finding(target, rule.Result{Status: rule.StatusSkip, Reason: reason, Method: "not run: remote daemon"}))
	}
	return rule.NewReport(fs)
}

// judgeRunningDriver completes the devicemapper rule (CIS 1.8.0 2.7) with
// the driver the running daemon reports in /info: the file and the command
// line say what the next start uses, /info what runs now; either one on
// devicemapper fails the rule.
func judgeRunningDriver(rep rule.Report, info *system.Info) rule.Report {
	if info == nil || info.Driver == "" {
		return rep
	}
	for i, f := range rep.Findings {
		if f.Rule != daemonconf.DaemonDevicemapper {
			continue
		}
		running := "running daemon: " + info.Driver + " (/info)"
		f.Detail = strings.TrimSpace(f.Detail + "; " + running)
		f.Method = strings.TrimSpace(f.Method + " and /info")
		if f.Status == rule.StatusPass && strings.EqualFold(info.Driver, "devicemapper") {
			if r, ok := daemonconf.Rules().Lookup(daemonconf.DaemonDevicemapper); ok {
				f.Remediation = r.Remediation
			}
			f.Status = rule.StatusFail
			f.Reason = "the running daemon uses the devicemapper storage driver"
		}
		rep.Findings[i] = f
	}
	rep.Summary = rule.Summarize(rep.Findings)
	return rep
}
