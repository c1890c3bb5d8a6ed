package safedock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

// Section names one part of the whole-host audit.
type Section string

// Sections, in report order.
const (
	SectionHost       Section = "host"       // OS, kernel, engine version, data-root mount, socket group (CIS 1.1.1, 1.1.2)
	SectionAuditd     Section = "auditd"     // audit rules for Docker's files and binaries (CIS 1.1.3-1.1.18)
	SectionDaemon     Section = "daemon"     // daemon.json and dockerd's command line (CIS 2.x)
	SectionFiles      Section = "files"      // owners and modes of Docker's files (CIS 3.x)
	SectionImages     Section = "images"     // images on the daemon (CIS 4.x)
	SectionContainers Section = "containers" // containers on the daemon (CIS 5.x)
)

// AllSections lists every section in report order.
func AllSections() []Section {
	return []Section{SectionHost, SectionAuditd, SectionDaemon, SectionFiles, SectionImages, SectionContainers}
}

// ParseSection checks a section name.
func ParseSection(s string) (Section, error) {
	for _, sec := range AllSections() {
		if string(sec) == strings.TrimSpace(s) {
			return sec, nil
		}
	}
	return "", fmt.Errorf("unknown section %q: want one of host, auditd, daemon, files, images, containers", s)
}

// SectionOf returns the section a rule's findings belong to, from the rule
// ID's area ("container.x" → containers).
func SectionOf(id rule.ID) Section {
	area, _, _ := strings.Cut(string(id), ".")
	switch area {
	case "host":
		return SectionHost
	case "audit":
		return SectionAuditd
	case "daemon":
		return SectionDaemon
	case "file":
		return SectionFiles
	case "image":
		return SectionImages
	case "container":
		return SectionContainers
	}
	return Section(area)
}

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
	// Concurrency bounds concurrent inspects (default 8).
	Concurrency int
	// Inspector fetches container inspects. When Client is nil, Audit
	// creates the client and, for a local daemon, a
	// hardening.FastInspector on it (about 30% less CPU for the whole
	// audit at 200 containers); otherwise the default is Client's
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
	// Unset, it is derived from DOCKER_HOST (tcp:// or ssh:// is remote).
	Remote *bool
}

// SectionResult says how one section went.
type SectionResult struct {
	Section  Section       `json:"section"`
	Findings int           `json:"findings"`
	Duration time.Duration `json:"duration_ns"`
	// Error is set when the section could not run; its rules are then absent
	// from the report (never reported as passed).
	Error string `json:"error,omitempty"`
	// Skipped says why a section was not run at all.
	Skipped string `json:"skipped,omitempty"`
}

// Report is the whole-host audit: the usual findings and summary (the JSON
// shape every safedock audit shares), plus how each section went.
type Report struct {
	rule.Report
	Sections []SectionResult `json:"sections"`
}

// Incomplete reports whether a section could not run.
func (r Report) Incomplete() bool {
	for _, s := range r.Sections {
		if s.Error != "" {
			return true
		}
	}
	return false
}

// Audit examines the Docker host: host facts, auditd rules, the daemon's
// configuration, its files, its images and its containers. Each input is
// gathered once (one /info, one discovery of the running dockerd, one
// container list, one network list, one image list, one inspect per
// container and per image) and the sections run concurrently. A section that
// cannot run is reported in Sections with its error, and its rules are left
// out rather than passed. Audit changes nothing.
func Audit(ctx context.Context, opts Options) (Report, error) {
	selected, err := selectSections(opts.Only, opts.Skip)
	if err != nil {
		return Report{}, err
	}
	root := opts.Root
	if root == "" {
		root = "/"
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
			if fi, err := hardening.NewFastInspector(c, opts.Concurrency); err == nil {
				defer fi.Close()
				inspector = fi
			}
		}
	}
	remote := false
	if opts.Remote != nil {
		remote = *opts.Remote
	} else if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "tcp://") || strings.HasPrefix(h, "ssh://") {
		remote = true
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
	infoF := sync.OnceValues(func() (*system.Info, error) {
		if cli == nil {
			return nil, errors.New("no daemon client")
		}
		negotiate()
		res, err := cli.Info(ctx, client.InfoOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading daemon info: %w", err)
		}
		return &res.Info, nil
	})
	cfgF := sync.OnceValues(func() (perms.Config, error) { return perms.Discover(root, socketFromEnv()) })
	auditRulesF := sync.OnceValues(func() ([]byte, error) { return host.ActiveAuditRules(ctx) })
	// Every input starts now, /info (the slowest: dockerd 20.10 runs runc
	// and docker-init to answer it) first; auditctl is a child process,
	// milliseconds to spawn.
	if cli != nil {
		go infoF()
	}
	hostSide := !remote && (slices.Contains(selected, SectionFiles) || slices.Contains(selected, SectionDaemon) || slices.Contains(selected, SectionHost) || slices.Contains(selected, SectionAuditd))
	if hostSide {
		go cfgF()
	}
	if !remote && root == "/" && (slices.Contains(selected, SectionHost) || slices.Contains(selected, SectionAuditd)) {
		go auditRulesF()
	}
	var wg sync.WaitGroup

	results := make([]SectionResult, len(selected))
	reports := make([]rule.Report, len(selected))
	var hostOnce sync.Once
	var hostRep rule.Report
	var hostErr error
	runHost := func() (rule.Report, error) {
		hostOnce.Do(func() {
			info, _ := infoF() // without /info, host skips the engine checks
			cfg, _ := cfgF()   // without a discovered dockerd, host reads the defaults
			in := host.Inputs{Root: root, Info: info, DockerdArgs: cfg.DockerdArgs, TrustedUsers: opts.TrustedUsers}
			if in.DockerdArgs == nil {
				in.DockerdArgs = []string{}
			}
			if root == "/" {
				if rules, err := auditRulesF(); err == nil {
					in.ActiveAuditRules = rules
				}
			}
			hostRep, hostErr = host.Check(in)
		})
		return hostRep, hostErr
	}

	for i, sec := range selected {
		wg.Go(func() {
			start := time.Now()
			res := SectionResult{Section: sec}
			var rep rule.Report
			var err error
			switch {
			case remote && sec != SectionImages && sec != SectionContainers:
				res.Skipped = "the daemon is remote: this section examines the machine safedock runs on; run safedock on the daemon's host"
			case sec == SectionHost || sec == SectionAuditd:
				rep, err = runHost()
				rep = filterSection(rep, sec)
			case sec == SectionFiles:
				var cfg perms.Config
				if cfg, err = cfgF(); err == nil {
					rep, err = perms.Check(cfg)
				}
			case sec == SectionDaemon:
				var cfg perms.Config
				if cfg, err = cfgF(); err == nil {
					info, _ := infoF() // the engine version, when the daemon answers
					rep, err = auditDaemonConfig(root, cfg, info)
				}
			case sec == SectionImages:
				negotiate()
				rep, err = hardening.AuditImages(ctx, cli, opts.Concurrency)
			case sec == SectionContainers:
				hostFn := func() (hardening.HostFacts, error) {
					info, err := infoF()
					if err != nil {
						return hardening.HostFacts{}, err
					}
					return hardening.HostFacts{}.FromSecurityOptions(info.SecurityOptions), nil
				}
				negotiate()
				procs := opts.Processes
				if procs == nil && !remote {
					procs = hardening.NewProcLister(cli)
				}
				rep, err = hardening.Audit(ctx, cli, hardening.AuditOptions{All: opts.All, Concurrency: opts.Concurrency, HostFunc: hostFn, Processes: procs, Inspector: inspector})
			}
			if err != nil {
				res.Error = err.Error()
			}
			res.Findings = len(rep.Findings)
			res.Duration = time.Since(start)
			results[i], reports[i] = res, rep
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Report{}, fmt.Errorf("audit: %w", err)
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
	for i, f := range all {
		if f.Method == "" {
			all[i].Method = defaultMethod(SectionOf(f.Rule))
		}
	}
	return Report{Report: rule.Report{Findings: all, Summary: rule.Summarize(all)}, Sections: results}, nil
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

func socketFromEnv() string {
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		return h
	}
	return ""
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

// maxDaemonJSON bounds how much of daemon.json the audit reads.
const maxDaemonJSON = 1 << 20

// auditDaemonConfig validates the daemon.json the running daemon uses,
// together with its command line, for the engine version it reports.
func auditDaemonConfig(root string, cfg perms.Config, info *system.Info) (rule.Report, error) {
	path := cfg.DaemonJSON
	if path == "" {
		path = configFileFlag(cfg.DockerdArgs)
	}
	if path == "" {
		path = "/etc/docker/daemon.json"
	}
	opts := daemonconf.Options{DockerdArgs: cfg.DockerdArgs, Target: "file:" + path}
	if info != nil {
		if v, err := daemonconf.ParseVersion(info.ServerVersion); err == nil {
			opts.Version = v
		}
	}
	f, err := os.Open(filepath.Join(root, filepath.Clean("/"+path)))
	var data []byte
	switch {
	case errors.Is(err, os.ErrNotExist):
		// No file: dockerd runs on its defaults (and its flags).
		data = []byte("{}")
		opts.Target = "file:" + path + " (absent: defaults)"
	case err != nil:
		return rule.Report{}, fmt.Errorf("reading daemon.json: %w", err)
	default:
		defer f.Close()
		data, err = io.ReadAll(io.LimitReader(f, maxDaemonJSON+1))
		if err != nil {
			return rule.Report{}, fmt.Errorf("reading daemon.json: %w", err)
		}
		if len(data) > maxDaemonJSON {
			return rule.Report{}, fmt.Errorf("reading daemon.json: %s is larger than %d bytes", path, maxDaemonJSON)
		}
	}
	return daemonconf.Validate(data, opts).Report(), nil
}

// configFileFlag returns dockerd's --config-file value, if given.
func configFileFlag(args []string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--config-file="); ok {
			return v
		}
		if a == "--config-file" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// Rules returns every rule the whole-host audit can report, in section
// order: host and auditd, daemon, files, images, containers. Renderers such
// as SARIF use it to describe the rules.
func Rules() rule.Catalog {
	return slices.Concat(host.Rules(), daemonconf.Catalog(), perms.Rules(), hardening.ImageRules(), hardening.Rules())
}
