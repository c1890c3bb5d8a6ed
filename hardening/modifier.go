package hardening

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// ErrModifierCannotApply is returned by Modifiers and HostConfigModifier
// for an option the modifiers cannot carry into the tool's container (its
// name, its network, or, for HostConfigModifier, anything that lives in
// container.Config). Nothing an option asked for is silently dropped.
var ErrModifierCannotApply = errors.New("option cannot be applied by a modifier")

// ContainerModifiers harden the Config and HostConfig of a container that
// another tool (testcontainers-go, ...) creates. Apply both: Config sets the
// user, environment, command, labels (waivers included) the options gave;
// HostConfig overwrites the security-relevant host settings. See Modifiers.
type ContainerModifiers struct {
	Config     func(*container.Config)
	HostConfig func(*container.HostConfig)
}

// Modifiers builds the spec for opts once, with every rule judged as Build
// judges it (the user rule included: set WithUser, or give WithImageFacts,
// or waive it), and returns the modifiers that apply it to a container a
// tool creates, e.g. with testcontainers-go:
//
//	mods, err := hardening.Modifiers(hardening.WithUser("65534:65534"), hardening.WithMemory(256<<20))
//	...
//	testcontainers.WithConfigModifier(mods.Config)
//	testcontainers.WithHostConfigModifier(mods.HostConfig)
//
// Config sets User, appends Env, merges Labels (the io.safedock.waive.*
// labels too, so an audit and Verify honour the waivers), and sets Cmd,
// Entrypoint and ExposedPorts when the options set them. HostConfig
// overwrites capabilities, privileged, read-only root, security options,
// memory, CPU shares, PIDs limit, devices (none), restart and log policy,
// tmpfs, binds, published ports, and the IPC, PID, UTS and user namespace
// modes. An option that sets anything else (WithName, WithNetwork, a field
// through WithHostConfig that neither modifier writes) makes Modifiers
// return an error wrapping ErrModifierCannotApply.
//
// The tool keeps what the modifiers do not write (the name, the network,
// its own Mounts, links) and a later modifier of the tool can loosen
// anything: the modifiers cannot judge the container that is finally
// created. Call Verify on it before it starts (a testcontainers-go PreStarts
// hook): it judges the created container with every rule.
func Modifiers(opts ...Option) (ContainerModifiers, error) {
	sp, err := modifierSpec(opts, false)
	if err != nil {
		return ContainerModifiers{}, fmt.Errorf("hardening modifiers: %w", err)
	}
	return ContainerModifiers{Config: configModifier(sp), HostConfig: hostConfigModifier(sp)}, nil
}

// HostConfigModifier returns a function that hardens a HostConfig in place,
// for tools that build containers themselves and take a HostConfig
// modifier only (testcontainers-go's WithHostConfigModifier):
//
//	mod, err := hardening.HostConfigModifier(hardening.WithMemory(256 << 20))
//	...
//	testcontainers.WithHostConfigModifier(mod)
//
// It writes the same HostConfig fields as Modifiers and is stricter: an
// option that changes container.Config (WithUser, WithAddedEnv, WithCmd,
// WithEntrypoint, WithAddedLabels, Waive, which needs a label) or names the
// container or its network is an error wrapping ErrModifierCannotApply.
// The user lives in Config, which this modifier never sees: it does not
// judge container.non-root-user (every other rule is judged here). Use
// Modifiers to set and judge the user, and Verify before the start to
// judge the container actually created.
func HostConfigModifier(opts ...Option) (func(*container.HostConfig), error) {
	sp, err := modifierSpec(opts, true)
	if err != nil {
		return nil, fmt.Errorf("hardening modifier: %w", err)
	}
	return hostConfigModifier(sp), nil
}

const modifierImage = "sha256:" + zeros64

// hostOnlyWaiver is the reason HostConfigModifier's internal waiver of the
// user rule carries; it never reaches a container.
const hostOnlyWaiver = "judged by Verify: a HostConfig modifier cannot see the user"

// modifierSpec builds the spec and refuses options the modifiers cannot
// carry: it applies the modifiers to the defaults and compares the result
// with the spec the options built.
func modifierSpec(opts []Option, hostOnly bool) (*Spec, error) {
	probe := NewSpec(modifierImage)
	probe.Network = ""
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(probe); err != nil {
			return nil, fmt.Errorf("build container spec: %w: %w", ErrInvalidSpec, err)
		}
	}
	var errs []error
	if probe.Name != "" {
		errs = append(errs, fmt.Errorf("%w: WithName(%q): the tool names the container", ErrModifierCannotApply, probe.Name))
	}
	if probe.Networking != nil && len(probe.Networking.EndpointsConfig) > 0 {
		errs = append(errs, fmt.Errorf("%w: WithAddedNetwork/WithNetworkAliases: the tool chooses the networks (give it the aliases; Verify judges each network)", ErrModifierCannotApply))
	}
	if probe.Network != "" {
		errs = append(errs, fmt.Errorf("%w: WithNetwork(%q): the tool chooses the network (give it one with inter-container traffic off; Verify judges it)", ErrModifierCannotApply, probe.Network))
	}
	if hostOnly {
		if _, waived := probe.Waivers[rule.ContainerNonRootUser]; !waived {
			opts = append(slices.Clone(opts), func(sp *Spec) error {
				sp.Waivers[rule.ContainerNonRootUser] = hostOnlyWaiver
				return nil
			})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sp, err := Build(modifierImage, opts...)
	if err != nil {
		return nil, err
	}
	if err := sp.capabilitiesTakeEffect(); err != nil {
		return nil, err
	}
	if hostOnly && sp.Waivers[rule.ContainerNonRootUser] == hostOnlyWaiver {
		delete(sp.Waivers, rule.ContainerNonRootUser)
		delete(sp.Config.Labels, LabelWaivePrefix+string(rule.ContainerNonRootUser))
	}

	base := NewSpec(modifierImage)
	if !hostOnly {
		configModifier(sp)(base.Config)
	}
	hostConfigModifier(sp)(base.HostConfig)
	if d := configDiff(base.Config, sp.Config, sp.HostConfig, hostOnly); len(d) > 0 {
		what := "container.Config fields"
		if hostOnly {
			what += " (use Modifiers, which also modifies Config)"
		}
		errs = append(errs, fmt.Errorf("%w: the options set %s a HostConfig modifier cannot carry: %s", ErrModifierCannotApply, what, strings.Join(d, ", ")))
	}
	if d := fieldDiff(*base.HostConfig, *sp.HostConfig); len(d) > 0 {
		errs = append(errs, fmt.Errorf("%w: the options set HostConfig fields the modifier does not write: %s", ErrModifierCannotApply, strings.Join(d, ", ")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sp, nil
}

// configDiff names the Config fields where got (the defaults, modified)
// differs from want (the spec). For a host-only modifier, ExposedPorts
// that are all published count as carried (the port bindings are).
func configDiff(got, want *container.Config, hc *container.HostConfig, hostOnly bool) []string {
	g, w := *got, *want
	if hostOnly {
		allPublished := true
		for p := range w.ExposedPorts {
			if _, ok := hc.PortBindings[p]; !ok {
				allPublished = false
			}
		}
		if allPublished {
			w.ExposedPorts = g.ExposedPorts
		}
	}
	return fieldDiff(g, w)
}

// fieldDiff names the top-level fields of two structs that differ.
func fieldDiff[T any](a, b T) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, va.Type().Field(i).Name)
		}
	}
	return out
}

func configModifier(sp *Spec) func(*container.Config) {
	want := sp.Clone().Config
	return func(cfg *container.Config) {
		if want.User != "" {
			cfg.User = want.User
		}
		cfg.Env = append(cfg.Env, want.Env...)
		for k, v := range want.Labels {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[k] = v
		}
		if len(want.Cmd) > 0 {
			cfg.Cmd = slices.Clone(want.Cmd)
		}
		if len(want.Entrypoint) > 0 {
			cfg.Entrypoint = slices.Clone(want.Entrypoint)
		}
		// The service settings (service.go), when the options set them.
		if want.Hostname != "" {
			cfg.Hostname = want.Hostname
		}
		if want.WorkingDir != "" {
			cfg.WorkingDir = want.WorkingDir
		}
		if want.StopSignal != "" {
			cfg.StopSignal = want.StopSignal
		}
		if want.StopTimeout != nil {
			n := *want.StopTimeout
			cfg.StopTimeout = &n
		}
		if want.Healthcheck != nil {
			h := *want.Healthcheck
			h.Test = slices.Clone(want.Healthcheck.Test)
			cfg.Healthcheck = &h
		}
		for p := range want.ExposedPorts {
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = maps.Clone(want.ExposedPorts)
				break
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
}

func hostConfigModifier(sp *Spec) func(*container.HostConfig) {
	want := sp.Clone().HostConfig
	return func(hc *container.HostConfig) {
		c := *want
		hc.CapDrop, hc.CapAdd = slices.Clone(c.CapDrop), slices.Clone(c.CapAdd)
		hc.Privileged = c.Privileged
		hc.ReadonlyRootfs = c.ReadonlyRootfs
		hc.SecurityOpt = slices.Clone(c.SecurityOpt)
		hc.Resources.Memory = c.Memory
		hc.Resources.CPUShares = c.CPUShares
		hc.Resources.PidsLimit = c.PidsLimit
		hc.Resources.Devices = nil
		hc.RestartPolicy = c.RestartPolicy
		hc.LogConfig = container.LogConfig{Type: c.LogConfig.Type, Config: maps.Clone(c.LogConfig.Config)}
		hc.Tmpfs = maps.Clone(c.Tmpfs)
		hc.Binds = slices.Clone(c.Binds)
		hc.IpcMode, hc.PidMode, hc.UTSMode, hc.UsernsMode = c.IpcMode, c.PidMode, c.UTSMode, c.UsernsMode
		// The service settings (service.go), when the options set them.
		if c.Ulimits != nil {
			hc.Resources.Ulimits = slices.Clone(c.Ulimits)
		}
		if c.NanoCPUs != 0 {
			hc.Resources.NanoCPUs = c.NanoCPUs
		}
		if c.MemorySwap != 0 {
			hc.Resources.MemorySwap = c.MemorySwap
		}
		if c.Sysctls != nil {
			hc.Sysctls = maps.Clone(c.Sysctls)
		}
		if c.DNS != nil {
			hc.DNS = slices.Clone(c.DNS)
		}
		if c.DNSSearch != nil {
			hc.DNSSearch = slices.Clone(c.DNSSearch)
		}
		if c.DNSOptions != nil {
			hc.DNSOptions = slices.Clone(c.DNSOptions)
		}
		if c.ExtraHosts != nil {
			hc.ExtraHosts = slices.Clone(c.ExtraHosts)
		}
		if c.GroupAdd != nil {
			hc.GroupAdd = slices.Clone(c.GroupAdd)
		}
		if c.ShmSize != 0 {
			hc.ShmSize = c.ShmSize
		}
		if c.Init != nil {
			v := *c.Init
			hc.Init = &v
		}
		if c.Mounts != nil {
			hc.Mounts = slices.Clone(c.Mounts)
		}
		if len(c.PortBindings) > 0 {
			hc.PortBindings = maps.Clone(c.PortBindings)
		}
		if hc.AutoRemove && hc.RestartPolicy.Name != container.RestartPolicyDisabled {
			// The daemon refuses both together; keep the tool's auto-remove
			// and drop the restart (an ephemeral test container).
			hc.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyDisabled}
		}
	}
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"
