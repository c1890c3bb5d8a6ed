package hardening

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// Spec is a container about to be created: moby's own Config and HostConfig
// (so it plugs into any moby-based client), plus the waivers and facts the
// rules need. Build returns a Spec that every rule passes or that a waiver
// covers.
type Spec struct {
	// Name is the container name; Run generates one when empty.
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
	Networking *network.NetworkingConfig
	// Waivers lists the rules the caller deliberately loosened.
	Waivers rule.Waivers
	// Host and Image are the facts the rules depend on (AppArmor, image user).
	Host  HostFacts
	Image *ImageFacts
	// Network is the network the container joins: "none", or a user-defined
	// network that Run creates with inter-container traffic disabled if it
	// does not exist yet.
	Network string
}

// ErrInvalidSpec wraps option input Build rejects (a malformed port, a
// capability that does not exist) and combinations the daemon would refuse
// (auto-remove with a restart policy, memory below 6 MiB). Rule violations
// are reported as *rule.Violation instead.
var ErrInvalidSpec = errors.New("invalid container spec")

// Option changes a Spec. Options return an error for invalid input; they
// may set anything, and Build's final check refuses what breaks a rule
// unless Waive covers it, so the floor only rises.
//
// Writing one's own Option is supported (see the Option example): a
// function that validates its input, changes sp.Config, sp.HostConfig or
// sp.Networking (moby's own types), and returns an error wrapped by Build
// in ErrInvalidSpec. Options run in order after the defaults; With* sets
// (replaces) a setting, WithAdded* appends to a list.
type Option func(*Spec) error

// NewSpec returns a Spec with every secure default applied and no options.
// Most callers want Build, which also applies options and enforces the rules.
func NewSpec(image string) *Spec {
	sp := &Spec{
		Config:     &container.Config{Image: image, Labels: map[string]string{}},
		HostConfig: &container.HostConfig{},
		Networking: &network.NetworkingConfig{},
		Waivers:    rule.Waivers{},
		Network:    "none",
	}
	for _, c := range checks {
		if apply, ok := defaults[c.Rule.ID]; ok {
			apply(sp)
		}
	}
	return sp
}

// Build returns a hardened spec for image: the secure defaults, then opts in
// order, then a check of every rule. A rule that fails without a waiver
// makes Build return an error that wraps a *rule.Violation for each (use
// errors.As), naming what to change. Combinations the daemon itself would
// refuse are reported too.
//
// image should be an image ID or a name@sha256 digest; Run resolves tags for
// you. Host and image facts (WithHostFacts, WithImageFacts) let rules that
// depend on them decide; without image facts a user must be set.
func Build(image string, opts ...Option) (*Spec, error) {
	if strings.TrimSpace(image) == "" {
		return nil, errors.New("build container spec: no image given")
	}
	sp := NewSpec(image)
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(sp); err != nil {
			return nil, fmt.Errorf("build container spec: %w: %w", ErrInvalidSpec, err)
		}
	}
	// Host facts may arrive after the defaults ran: apply the host-dependent
	// defaults again (they only add options).
	applyAppArmor(sp)
	applySELinux(sp)
	if err := sp.finish(); err != nil {
		return nil, fmt.Errorf("build container spec: %w: %w", ErrInvalidSpec, err)
	}
	if err := sp.Enforce(); err != nil {
		return nil, fmt.Errorf("build container spec: %w", err)
	}
	return sp, nil
}

// finish derives the network mode and labels and checks combinations the
// daemon refuses.
func (sp *Spec) finish() error {
	hc := sp.HostConfig
	if sp.Network == "" {
		sp.Network = "none"
	}
	if hc.NetworkMode == "" || hc.NetworkMode == "none" || string(hc.NetworkMode) == sp.Network || hc.NetworkMode == "default" {
		hc.NetworkMode = container.NetworkMode(sp.Network)
	}
	var errs []error
	if hc.AutoRemove && hc.RestartPolicy.Name != "" && hc.RestartPolicy.Name != container.RestartPolicyDisabled {
		errs = append(errs, fmt.Errorf("auto-remove conflicts with restart policy %q (the daemon refuses both): use WithRestartPolicy(\"no\", 0) with WithAutoRemove()", hc.RestartPolicy.Name))
	}
	if hc.Memory > 0 && hc.Memory < policy.MinMemory {
		errs = append(errs, fmt.Errorf("memory limit %d bytes is below the daemon's minimum of 6 MiB", hc.Memory))
	}
	if hc.MemorySwap > 0 && hc.Memory > 0 && hc.MemorySwap < hc.Memory {
		errs = append(errs, fmt.Errorf("memory-swap %d is below memory %d: the daemon refuses it", hc.MemorySwap, hc.Memory))
	}
	if hc.NetworkMode == "none" && len(hc.PortBindings) > 0 {
		errs = append(errs, errors.New("ports are published but the container has no network: use WithNetwork"))
	}
	if hc.NetworkMode.IsContainer() && len(hc.PortBindings) > 0 {
		errs = append(errs, errors.New("ports cannot be published on a container that shares another container's network"))
	}
	for dst := range hc.Tmpfs {
		for _, m := range hc.Binds {
			if b, err := parseBind(m); err == nil && b.Destination == dst {
				errs = append(errs, fmt.Errorf("duplicate mount point %s (tmpfs and volume)", dst))
			}
		}
	}
	for id, reason := range sp.Waivers {
		sp.Config.Labels[LabelWaivePrefix+string(id)] = reason
	}
	return errors.Join(errs...)
}

// capabilitiesTakeEffect refuses added capabilities for a process that
// runs as a non-root user (Config.User, or the image's USER when the facts
// are known): Docker sets no ambient capabilities, so such a process starts
// with none of them effective, and with no-new-privileges (a default) it
// cannot gain them from file capabilities either; the addition would only
// widen the bounding set. Run, Create, Deploy and Modifiers apply it; Build
// does not, because a spec may be exported to a platform of its own (the
// kube export), which decides there.
func (sp *Spec) capabilitiesTakeEffect() error {
	if len(sp.HostConfig.CapAdd) == 0 {
		return nil
	}
	u, known := sp.Subject().user()
	if !known || isRootUser(u) {
		return nil
	}
	return fmt.Errorf("%w: capabilities %s are added but the process runs as user %q: Docker sets no ambient capabilities, "+
		"so a non-root process gets none of them (and no-new-privileges stops file capabilities); run as root "+
		"(WithUser(\"0\") with Waive(%q, reason)), or do without: dockerd 20.10 and later let any user bind ports below 1024 in a container",
		ErrInvalidSpec, strings.Join(sp.HostConfig.CapAdd, ","), u, rule.ContainerNonRootUser)
}

// Subject returns the view of this spec that the rules evaluate.
func (sp *Spec) Subject() *Subject {
	name := sp.Name
	if name == "" {
		name = "(new)"
	}
	s := &Subject{
		Name:       name,
		Config:     sp.Config,
		HostConfig: sp.HostConfig,
		Mounts:     mountsFromHostConfig(sp.HostConfig),
		Image:      sp.Image,
		Host:       sp.Host,
		Waivers:    sp.Waivers,
	}
	if sp.Image != nil {
		s.ImageID = sp.Image.ID
	}
	switch sp.Network {
	case "none", "host", "bridge", "default", "":
	default:
		if !strings.HasPrefix(sp.Network, "container:") {
			// Run creates or verifies the network with ICC disabled.
			s.Networks = map[string]*NetworkFacts{sp.Network: {Name: sp.Network, Driver: "bridge", ICC: false}}
		}
	}
	return s
}

// Check evaluates every rule on the spec and returns the findings, with
// waivers applied. It never changes the spec.
func (sp *Spec) Check() []rule.Finding { return Evaluate(sp.Subject()) }

// Enforce returns an error joining a *rule.Violation for every rule that
// fails on the spec without a waiver; nil when the spec is acceptable.
func (sp *Spec) Enforce() error {
	var errs []error
	for _, f := range sp.Check() {
		if f.Status != rule.StatusFail {
			continue
		}
		errs = append(errs, &rule.Violation{Rule: f.Rule, Reason: f.Reason, Detail: f.Detail,
			Fix: f.Remediation + " Or waive it: Waive(\"" + string(f.Rule) + "\", reason)."})
	}
	return errors.Join(errs...)
}

// Clone returns a deep enough copy of the spec for callers that reuse one
// spec as a template.
func (sp *Spec) Clone() *Spec {
	c := *sp
	cfg := *sp.Config
	cfg.Labels = maps.Clone(sp.Config.Labels)
	cfg.Env = slices.Clone(sp.Config.Env)
	cfg.Cmd = slices.Clone(sp.Config.Cmd)
	cfg.Entrypoint = slices.Clone(sp.Config.Entrypoint)
	c.Config = &cfg
	hc := *sp.HostConfig
	hc.CapAdd = slices.Clone(sp.HostConfig.CapAdd)
	hc.CapDrop = slices.Clone(sp.HostConfig.CapDrop)
	hc.SecurityOpt = slices.Clone(sp.HostConfig.SecurityOpt)
	hc.Binds = slices.Clone(sp.HostConfig.Binds)
	hc.Tmpfs = maps.Clone(sp.HostConfig.Tmpfs)
	hc.PortBindings = maps.Clone(sp.HostConfig.PortBindings)
	hc.LogConfig.Config = maps.Clone(sp.HostConfig.LogConfig.Config)
	if sp.HostConfig.PidsLimit != nil {
		n := *sp.HostConfig.PidsLimit
		hc.PidsLimit = &n
	}
	c.HostConfig = &hc
	c.Waivers = maps.Clone(sp.Waivers)
	return &c
}
