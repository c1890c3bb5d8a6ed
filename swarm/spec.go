package swarm

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	units "github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// Engine API versions that added the service-spec fields the profile needs
// (moby api/docs/CHANGELOG.md; moby/moby#46386 for the privileges).
const (
	// APIVersionServiceCapabilities added ContainerSpec.CapabilityAdd/Drop,
	// Ulimits and Resources.Limits.Pids (Docker 20.10).
	APIVersionServiceCapabilities = "1.41"
	// APIVersionServicePrivileges added ContainerSpec.Privileges.Seccomp,
	// AppArmor and NoNewPrivileges (Docker 25.0). Older engines ignore the
	// fields without an error.
	APIVersionServicePrivileges = "1.44"
	// APIVersionServiceTmpfsOptions added Mounts.TmpfsOptions.Options (Docker 27.0).
	APIVersionServiceTmpfsOptions = "1.46"
	// APIVersionServiceOomScoreAdj added ContainerSpec.OomScoreAdj (Docker 27.0).
	APIVersionServiceOomScoreAdj = "1.46"
	// APIVersionServiceSwap added Resources.SwapBytes (Docker 29).
	APIVersionServiceSwap = "1.52"
)

// LatestServiceAPIVersion is the API version ServiceSpec assumes when the
// caller does not name the engine's (WithAPIVersion): every field it knows
// is expressible.
const LatestServiceAPIVersion = APIVersionServiceSwap

// Gap is a rule the service spec cannot express on the target engine: the
// swarm task will not carry what the container profile would. ServiceSpec
// reports every gap; it never drops a rule silently.
type Gap struct {
	Rule rule.ID `json:"rule"`
	// Field is the service-spec field that would carry the rule, if any.
	Field string `json:"field,omitempty"`
	// Reason says what the task gets instead.
	Reason string `json:"reason"`
	// Since is the Engine API version that can express the rule; empty when
	// no version of the swarm API can.
	Since string `json:"since,omitempty"`
	// Cover is the daemon-wide setting (or other measure) that covers the
	// rule instead; empty when there is none.
	Cover string `json:"cover,omitempty"`
}

// String renders the gap on one line.
func (g Gap) String() string {
	s := fmt.Sprintf("%s: %s", g.Rule, g.Reason)
	if g.Since != "" {
		s += fmt.Sprintf(" (expressible from Engine API %s)", g.Since)
	}
	if g.Cover != "" {
		s += "; covered instead by " + g.Cover
	}
	return s
}

// Finding reports the gap as a warning on target, with the rule's metadata
// when the rule is known.
func (g Gap) Finding(target string) rule.Finding {
	r, ok := hardening.Rules().Lookup(g.Rule)
	if !ok {
		r, ok = Rules().Lookup(g.Rule)
	}
	if !ok {
		r = rule.Rule{ID: g.Rule, Severity: rule.SeverityMedium}
	}
	detail := g.Field
	if g.Cover != "" {
		detail = strings.TrimPrefix(detail+"; cover: "+g.Cover, "; ")
	}
	res := rule.Warn("not expressible in a swarm service: "+g.Reason, detail)
	res.Method = "service-spec"
	return r.Finding(target, res)
}

// ServiceOption adjusts how ServiceSpec turns a container profile into a
// swarm service.
type ServiceOption func(*serviceConfig) error

type serviceConfig struct {
	api      string
	replicas uint64
	nanoCPUs int64
	secrets  []*swarmtypes.SecretReference
	waivers  rule.Waivers
	nets     map[string]*hardening.NetworkFacts
}

// WithAPIVersion names the Engine API version of the swarm manager the
// service is for (from ServerVersion or Ping). Fields the version does not
// know are left out and reported as gaps. Deploy sets it from the engine.
func WithAPIVersion(v string) ServiceOption {
	return func(c *serviceConfig) error {
		if _, _, ok := parseAPIVersion(v); !ok {
			return fmt.Errorf("api version %q: want MAJOR.MINOR such as 1.41", v)
		}
		c.api = v
		return nil
	}
}

// WithReplicas sets the number of replicas (default 1).
func WithReplicas(n uint64) ServiceOption {
	return func(c *serviceConfig) error { c.replicas = n; return nil }
}

// WithCPULimit caps the service's CPU use, in CPUs (0.5 is half a CPU).
// Swarm has no CPU shares: this is how a service satisfies the CPU rule.
func WithCPULimit(cpus float64) ServiceOption {
	return func(c *serviceConfig) error {
		if cpus <= 0 || cpus > 1024 {
			return fmt.Errorf("cpu limit %v: want a positive number of CPUs", cpus)
		}
		c.nanoCPUs = int64(cpus * 1e9)
		return nil
	}
}

var secretTargetPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`) })

// WithAddedSecret gives the task the swarm secret name as the file
// /run/secrets/target, readable only by the task's user (mode 0400). This is
// the way to hand a service a password or key (CIS 7.4): ServiceSpec refuses
// environment variables whose names look like secrets. Create the secret
// first (docker secret create); Deploy resolves its ID, callers of
// ServiceSpec fill SecretReference.SecretID themselves.
func WithAddedSecret(name, target string) ServiceOption {
	return func(c *serviceConfig) error {
		if !secretTargetPattern().MatchString(name) {
			return fmt.Errorf("secret name %q: want [a-zA-Z0-9][a-zA-Z0-9_.-]*", name)
		}
		if target == "" {
			target = name
		}
		if !secretTargetPattern().MatchString(target) {
			return fmt.Errorf("secret target %q: want a file name under /run/secrets", target)
		}
		c.secrets = append(c.secrets, &swarmtypes.SecretReference{SecretName: name,
			File: &swarmtypes.SecretReferenceFileTarget{Name: target, UID: "0", GID: "0", Mode: 0o400}})
		return nil
	}
}

// Waive loosens a swarm rule (see Rules) on purpose, such as
// swarm.secrets-in-env for a variable that only looks like a secret. The
// reason is recorded on the service and the swarm audit reports it.
func Waive(id rule.ID, reason string) ServiceOption {
	return func(c *serviceConfig) error {
		if _, ok := Rules().Lookup(id); !ok {
			return fmt.Errorf("waive %q: not a swarm rule (see swarm.Rules)", id)
		}
		return c.waivers.Waive(id, reason)
	}
}

// WithNetworkFacts tells ServiceSpec about networks on the engine
// (by name), e.g. whether the default bridge has inter-container traffic
// disabled. Deploy reads them from the engine.
func WithNetworkFacts(nets map[string]*hardening.NetworkFacts) ServiceOption {
	return func(c *serviceConfig) error { c.nets = maps.Clone(nets); return nil }
}

// secretEnvPattern matches environment variable names that carry secrets.
var secretEnvPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)`)
})

// ServiceSpec turns a hardened container spec (from hardening.Build) into a swarm
// service spec that carries the same rules, and lists the gaps: the rules
// the target engine cannot express in a service (see Gap). It returns an
// error for settings a service cannot carry at all (a privileged or
// host-namespace container, devices, a tmpfs option older engines do not
// know) and a *rule.Violation for environment variables that look like
// secrets (CIS 7.4; use WithAddedSecret, or Waive).
//
// What it builds: the user, a read-only root, capabilities dropped and added
// (API 1.41+), no-new-privileges, seccomp and AppArmor (API 1.44+), SELinux
// labels, init, memory/PIDs/CPU limits, restart on-failure with the spec's
// retry bound, the log driver, bind/volume/tmpfs mounts, secrets, and
// published ports in host mode (never through the routing mesh, which
// listens on every address of every node). Swarm cannot bind a published
// port to one host address: that is reported as a gap whenever the spec
// publishes a port. The image is used as given: pass the image ID (as
// Deploy does) so that no node resolves a tag on its own.
func ServiceSpec(sp *hardening.Spec, opts ...ServiceOption) (swarmtypes.ServiceSpec, []Gap, error) {
	if sp == nil || sp.Config == nil || sp.HostConfig == nil {
		return swarmtypes.ServiceSpec{}, nil, errors.New("service spec: no container spec given")
	}
	c := &serviceConfig{api: LatestServiceAPIVersion, replicas: 1, waivers: rule.Waivers{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return swarmtypes.ServiceSpec{}, nil, fmt.Errorf("service spec: %w: %w", hardening.ErrInvalidSpec, err)
		}
	}
	b := &serviceBuilder{sp: sp, c: c}
	out, err := b.build()
	if err != nil {
		return swarmtypes.ServiceSpec{}, nil, fmt.Errorf("service spec: %w", err)
	}
	// The safety net: every rule the container spec passes must pass on
	// the service as the engine will run it, or be named as a gap.
	mapped := SubjectFromService(out, sp.Host, c.nets)
	mapped.Name, mapped.Image = sp.Name, sp.Image
	if sp.Image != nil {
		mapped.ImageID = sp.Image.ID
	}
	want := map[rule.ID]rule.Finding{}
	for _, f := range sp.Check() {
		want[f.Rule] = f
	}
	for _, f := range hardening.Evaluate(mapped) {
		w := want[f.Rule]
		if statusRank(f.Status) > statusRank(w.Status) && !b.hasGap(f.Rule) {
			b.gap(Gap{Rule: f.Rule, Reason: "the service as the engine runs it: " + f.Reason, Field: f.Detail})
		}
	}
	slices.SortStableFunc(b.gaps, func(x, y Gap) int { return strings.Compare(string(x.Rule), string(y.Rule)) })
	return out, b.gaps, nil
}

func statusRank(s rule.Status) int {
	switch s {
	case rule.StatusFail:
		return 3
	case rule.StatusWarn:
		return 2
	case rule.StatusSkip:
		return 1
	}
	return 0
}

type serviceBuilder struct {
	sp   *hardening.Spec
	c    *serviceConfig
	gaps []Gap
	errs []error
}

func (b *serviceBuilder) gap(g Gap) { b.gaps = append(b.gaps, g) }

func (b *serviceBuilder) hasGap(id rule.ID) bool {
	return slices.ContainsFunc(b.gaps, func(g Gap) bool { return g.Rule == id })
}

func (b *serviceBuilder) supports(v string) bool { return apiAtLeast(b.c.api, v) }

func (b *serviceBuilder) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf("%w: "+format, append([]any{hardening.ErrInvalidSpec}, args...)...))
}

func (b *serviceBuilder) build() (swarmtypes.ServiceSpec, error) {
	sp, cfg, hc := b.sp, b.sp.Config, b.sp.HostConfig
	b.refuseUnexpressible()
	if err := b.refuseEnvSecrets(); err != nil {
		return swarmtypes.ServiceSpec{}, err
	}
	labels := maps.Clone(cfg.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	for id, reason := range b.c.waivers {
		labels[hardening.LabelWaivePrefix+string(id)] = reason
	}
	cs := &swarmtypes.ContainerSpec{
		Image:       cfg.Image,
		Labels:      labels,
		Command:     slices.Clone(cfg.Entrypoint),
		Args:        slices.Clone(cfg.Cmd),
		Env:         slices.Clone(cfg.Env),
		Dir:         cfg.WorkingDir,
		User:        cfg.User,
		ReadOnly:    hc.ReadonlyRootfs,
		Healthcheck: cfg.Healthcheck,
		StopSignal:  cfg.StopSignal,
		Init:        hc.Init,
		Secrets:     b.c.secrets,
	}
	if len(hc.Ulimits) > 0 {
		if b.supports(APIVersionServiceCapabilities) {
			cs.Ulimits = slices.Clone(hc.Ulimits)
		} else {
			b.fail("ulimits need Engine API %s", APIVersionServiceCapabilities)
		}
	}
	if hc.OomScoreAdj != 0 {
		if b.supports(APIVersionServiceOomScoreAdj) {
			cs.OomScoreAdj = int64(hc.OomScoreAdj)
		} else {
			b.fail("oom-score-adj needs Engine API %s", APIVersionServiceOomScoreAdj)
		}
	}
	b.serviceSettings(cs)
	b.capabilities(cs)
	b.privileges(cs)
	b.mounts(cs)

	task := swarmtypes.TaskSpec{ContainerSpec: cs, Resources: b.resources(), RestartPolicy: b.restart()}
	if lc := hc.LogConfig; lc.Type != "" {
		task.LogDriver = &swarmtypes.Driver{Name: lc.Type, Options: maps.Clone(lc.Config)}
	}
	task.Networks = b.networks()
	out := swarmtypes.ServiceSpec{
		Annotations:  swarmtypes.Annotations{Name: sp.Name, Labels: maps.Clone(labels)},
		TaskTemplate: task,
		Mode:         swarmtypes.ServiceMode{Replicated: &swarmtypes.ReplicatedService{Replicas: &b.c.replicas}},
		EndpointSpec: b.ports(),
	}
	if err := errors.Join(b.errs...); err != nil {
		return swarmtypes.ServiceSpec{}, err
	}
	return out, nil
}

// serviceSettings carries the settings of a long-running service
// (hostname, stop timeout, sysctls, DNS, hosts, groups) into the
// container spec; those a service has no field for are refused.
func (b *serviceBuilder) serviceSettings(cs *swarmtypes.ContainerSpec) {
	cfg, hc := b.sp.Config, b.sp.HostConfig
	cs.Hostname = cfg.Hostname
	if cfg.StopTimeout != nil {
		d := time.Duration(*cfg.StopTimeout) * time.Second
		cs.StopGracePeriod = &d
	}
	cs.Sysctls = maps.Clone(hc.Sysctls)
	if len(hc.DNS) > 0 || len(hc.DNSSearch) > 0 || len(hc.DNSOptions) > 0 {
		dc := &swarmtypes.DNSConfig{Nameservers: slices.Clone(hc.DNS), Search: slices.Clone(hc.DNSSearch), Options: slices.Clone(hc.DNSOptions)}
		cs.DNSConfig = dc
	}
	for _, h := range hc.ExtraHosts {
		// docker's NAME:IP becomes the hosts-file form "IP NAME".
		name, ip, ok := strings.Cut(h, ":")
		if !ok {
			b.fail("extra host %q: want NAME:IP", h)
			continue
		}
		cs.Hosts = append(cs.Hosts, ip+" "+name)
	}
	cs.Groups = slices.Clone(hc.GroupAdd)
	if hc.ShmSize > 0 {
		b.fail("a swarm service has no shm size (%d bytes): mount a tmpfs at /dev/shm instead", hc.ShmSize)
	}
	if b.sp.Networking != nil {
		for n, ep := range b.sp.Networking.EndpointsConfig {
			if n != b.sp.Network && n != string(hc.NetworkMode) {
				b.fail("added network %q: Deploy joins one network (WithNetwork)", n)
			} else if ep != nil && len(ep.Aliases) > 0 {
				b.fail("network aliases %v: a swarm service is reached by its name", ep.Aliases)
			}
		}
	}
}

// refuseUnexpressible refuses settings a swarm service cannot carry at all:
// dropping them would change what the caller asked for without a word.
func (b *serviceBuilder) refuseUnexpressible() {
	hc := b.sp.HostConfig
	if hc.Privileged {
		b.fail("a swarm service cannot be privileged")
	}
	for field, v := range map[string]string{"PidMode": string(hc.PidMode), "IpcMode": string(hc.IpcMode), "UTSMode": string(hc.UTSMode), "UsernsMode": string(hc.UsernsMode)} {
		if v == "host" || strings.HasPrefix(v, "container:") {
			b.fail("a swarm service cannot set %s=%s", field, v)
		}
	}
	if len(hc.Devices) > 0 || len(hc.DeviceCgroupRules) > 0 || len(hc.DeviceRequests) > 0 {
		b.fail("a swarm service cannot expose host devices")
	}
	if hc.CgroupParent != "" {
		b.fail("a swarm service cannot set a cgroup parent (%q)", hc.CgroupParent)
	}
	if hc.AutoRemove {
		b.fail("auto-remove does not apply to swarm tasks: swarm removes them by its task history limit")
	}
	if hc.MemorySwap > 0 && !b.supports(APIVersionServiceSwap) {
		b.fail("memory-swap needs Engine API %s", APIVersionServiceSwap)
	}
	for _, o := range hc.SecurityOpt {
		k, _, ok := strings.Cut(o, "=")
		if !ok {
			k, _, _ = strings.Cut(o, ":")
		}
		switch k {
		case "no-new-privileges", "seccomp", "apparmor", "label":
		default:
			b.fail("security option %q has no swarm service field", o)
		}
	}
	if strings.HasPrefix(string(hc.NetworkMode), "container:") {
		b.fail("a swarm service cannot share another container's network")
	}
}

func (b *serviceBuilder) refuseEnvSecrets() error {
	var errs []error
	for _, e := range b.sp.Config.Env {
		k, _, _ := strings.Cut(e, "=")
		if !secretEnvPattern().MatchString(k) {
			continue
		}
		if _, waived := b.c.waivers[SwarmSecretsInEnv]; waived {
			continue
		}
		r, _ := Rules().Lookup(SwarmSecretsInEnv)
		errs = append(errs, &rule.Violation{Rule: SwarmSecretsInEnv, Reason: "environment variable looks like a secret",
			Detail: "Env " + k, Fix: r.Remediation + " Or waive it: swarm.Waive(\"" + string(SwarmSecretsInEnv) + "\", reason)."})
	}
	return errors.Join(errs...)
}

func (b *serviceBuilder) capabilities(cs *swarmtypes.ContainerSpec) {
	hc := b.sp.HostConfig
	if len(hc.CapDrop) == 0 && len(hc.CapAdd) == 0 {
		return
	}
	if !b.supports(APIVersionServiceCapabilities) {
		b.gap(Gap{Rule: rule.ContainerCapabilities, Field: "ContainerSpec.CapabilityDrop/CapabilityAdd", Since: APIVersionServiceCapabilities,
			Reason: "the engine's service API has no capability fields: tasks keep Docker's default capability set",
			Cover:  "no daemon-wide setting; upgrade the engine"})
		return
	}
	for _, c := range hc.CapDrop {
		cs.CapabilityDrop = append(cs.CapabilityDrop, capName(c))
	}
	for _, c := range hc.CapAdd {
		cs.CapabilityAdd = append(cs.CapabilityAdd, capName(c))
	}
}

// capName writes a capability the way the service API wants it (CAP_X; ALL stays ALL).
func capName(c string) string {
	n := policy.NormalizeCapability(c)
	if n == "ALL" {
		return n
	}
	return "CAP_" + n
}

func (b *serviceBuilder) privileges(cs *swarmtypes.ContainerSpec) {
	hc := b.sp.HostConfig
	p := &swarmtypes.Privileges{}
	set := false
	newer := b.supports(APIVersionServicePrivileges)
	if v, ok := hardening.SecurityOption(hc, "no-new-privileges"); ok && (v == "" || v == "true") {
		if newer {
			p.NoNewPrivileges, set = true, true
		} else {
			b.gap(Gap{Rule: rule.ContainerNoNewPrivileges, Field: "ContainerSpec.Privileges.NoNewPrivileges", Since: APIVersionServicePrivileges,
				Reason: "the engine ignores the field: tasks run without no_new_privs",
				Cover:  `daemon.json "no-new-privileges": true on every node`})
		}
	}
	if v, ok := hardening.SecurityOption(hc, "seccomp"); ok {
		switch {
		case !newer:
			b.gap(Gap{Rule: rule.ContainerSeccomp, Field: "ContainerSpec.Privileges.Seccomp", Since: APIVersionServicePrivileges,
				Reason: fmt.Sprintf("seccomp=%s cannot be set: tasks get the daemon's default profile", shorten(v)),
				Cover:  `daemon.json "seccomp-profile" on every node`})
		case v == "unconfined":
			p.Seccomp, set = &swarmtypes.SeccompOpts{Mode: swarmtypes.SeccompModeUnconfined}, true
		case v == "builtin" || v == "default":
			p.Seccomp, set = &swarmtypes.SeccompOpts{Mode: swarmtypes.SeccompModeDefault}, true
		default:
			p.Seccomp, set = &swarmtypes.SeccompOpts{Mode: swarmtypes.SeccompModeCustom, Profile: []byte(v)}, true
		}
	} else if newer {
		p.Seccomp, set = &swarmtypes.SeccompOpts{Mode: swarmtypes.SeccompModeDefault}, true
	}
	if v, ok := hardening.SecurityOption(hc, "apparmor"); ok {
		switch {
		case v == "unconfined" && newer:
			p.AppArmor, set = &swarmtypes.AppArmorOpts{Mode: swarmtypes.AppArmorModeDisabled}, true
		case v == "docker-default" && newer:
			p.AppArmor, set = &swarmtypes.AppArmorOpts{Mode: swarmtypes.AppArmorModeDefault}, true
		case v == "docker-default":
			// Older engines apply docker-default to tasks on AppArmor hosts anyway.
		case v == "unconfined":
			b.gap(Gap{Rule: rule.ContainerAppArmor, Field: "ContainerSpec.Privileges.AppArmor", Since: APIVersionServicePrivileges,
				Reason: "AppArmor cannot be turned off: tasks get docker-default"})
		default:
			b.gap(Gap{Rule: rule.ContainerAppArmor, Field: "ContainerSpec.Privileges.AppArmor",
				Reason: fmt.Sprintf("swarm supports no custom AppArmor profile (%q): tasks get docker-default", v),
				Cover:  "none; run the workload as a plain container (hardening.Run) if it needs its own profile"})
		}
	}
	if l, ok, err := hardening.ParseSELinuxLabel(hc); ok {
		if err != nil {
			b.fail("%v", err)
		}
		for _, o := range l.Other {
			b.fail("SELinux label option %q has no swarm field", o)
		}
		p.SELinuxContext = &swarmtypes.SELinuxContext{Disable: l.Disable, User: l.User, Role: l.Role, Type: l.Type, Level: l.Level}
		set = true
	}
	if set {
		cs.Privileges = p
	}
}

func shorten(s string) string {
	if len(s) > 24 {
		return s[:21] + "..."
	}
	return s
}

func (b *serviceBuilder) mounts(cs *swarmtypes.ContainerSpec) {
	hc := b.sp.HostConfig
	for _, v := range hc.Binds {
		m, err := hardening.ParseBind(v)
		if err != nil {
			b.fail("%v", err)
			continue
		}
		mm := mount.Mount{Type: m.Type, Source: m.Source, Target: m.Destination, ReadOnly: !m.RW}
		if m.Propagation != "" && m.Type == mount.TypeBind {
			mm.BindOptions = &mount.BindOptions{Propagation: m.Propagation}
		}
		cs.Mounts = append(cs.Mounts, mm)
	}
	cs.Mounts = append(cs.Mounts, hc.Mounts...)
	for _, dst := range slices.Sorted(maps.Keys(hc.Tmpfs)) {
		mm, err := b.tmpfs(dst, hc.Tmpfs[dst])
		if err != nil {
			b.fail("tmpfs %s: %v", dst, err)
			continue
		}
		cs.Mounts = append(cs.Mounts, mm)
	}
}

// swarmTmpfsDefaults are the flags dockerd puts on every tmpfs mount of the
// Mounts API (what swarm tasks get): noexec, nosuid, nodev.
var swarmTmpfsDefaults = []string{"noexec", "nosuid", "nodev"}

func (b *serviceBuilder) tmpfs(dst, opts string) (mount.Mount, error) {
	mm := mount.Mount{Type: mount.TypeTmpfs, Target: dst, TmpfsOptions: &mount.TmpfsOptions{}}
	for _, o := range strings.Split(opts, ",") {
		o = strings.TrimSpace(o)
		k, v, _ := strings.Cut(o, "=")
		switch {
		case o == "" || o == "rw" || slices.Contains(swarmTmpfsDefaults, o):
		case o == "ro":
			mm.ReadOnly = true
		case k == "size":
			n, err := units.RAMInBytes(v)
			if err != nil {
				return mount.Mount{}, fmt.Errorf("size %q: %w", v, err)
			}
			mm.TmpfsOptions.SizeBytes = n
		case k == "mode":
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil {
				return mount.Mount{}, fmt.Errorf("mode %q: want octal", v)
			}
			mm.TmpfsOptions.Mode = os.FileMode(n)
		case b.supports(APIVersionServiceTmpfsOptions):
			if v != "" {
				mm.TmpfsOptions.Options = append(mm.TmpfsOptions.Options, []string{k, v})
			} else {
				mm.TmpfsOptions.Options = append(mm.TmpfsOptions.Options, []string{k})
			}
		default:
			return mount.Mount{}, fmt.Errorf("option %q needs Engine API %s", o, APIVersionServiceTmpfsOptions)
		}
	}
	return mm, nil
}

func (b *serviceBuilder) resources() *swarmtypes.ResourceRequirements {
	hc := b.sp.HostConfig
	lim := &swarmtypes.Limit{MemoryBytes: hc.Memory, NanoCPUs: b.c.nanoCPUs}
	if hc.NanoCPUs > 0 && lim.NanoCPUs == 0 {
		lim.NanoCPUs = hc.NanoCPUs
	}
	if hc.PidsLimit != nil && *hc.PidsLimit > 0 {
		if b.supports(APIVersionServiceCapabilities) {
			lim.Pids = *hc.PidsLimit
		} else {
			b.gap(Gap{Rule: rule.ContainerPidsLimit, Field: "TaskTemplate.Resources.Limits.Pids", Since: APIVersionServiceCapabilities,
				Reason: "the engine's service API has no PIDs limit: tasks can fork without bound",
				Cover:  `daemon.json "default-ulimits" nproc (per-user, weaker) on every node`})
		}
	}
	if hc.CPUShares > 0 && hc.CPUShares != 1024 && lim.NanoCPUs == 0 {
		b.gap(Gap{Rule: rule.ContainerCPUShares, Field: "TaskTemplate.Resources.Limits.NanoCPUs",
			Reason: fmt.Sprintf("swarm services have no CPU shares (relative weight %d): tasks get the default weight", hc.CPUShares),
			Cover:  "a CPU limit instead: WithCPULimit (docker service create --limit-cpu)"})
	}
	if hc.MemorySwap > 0 && b.supports(APIVersionServiceSwap) {
		swap := hc.MemorySwap - hc.Memory
		return &swarmtypes.ResourceRequirements{Limits: lim, SwapBytes: &swap}
	}
	return &swarmtypes.ResourceRequirements{Limits: lim}
}

func (b *serviceBuilder) restart() *swarmtypes.RestartPolicy {
	rp := b.sp.HostConfig.RestartPolicy
	switch rp.Name {
	case container.RestartPolicyOnFailure:
		n := uint64(max(rp.MaximumRetryCount, 0))
		return &swarmtypes.RestartPolicy{Condition: swarmtypes.RestartPolicyConditionOnFailure, MaxAttempts: &n}
	case container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		return &swarmtypes.RestartPolicy{Condition: swarmtypes.RestartPolicyConditionAny}
	}
	return &swarmtypes.RestartPolicy{Condition: swarmtypes.RestartPolicyConditionNone}
}

func (b *serviceBuilder) networks() []swarmtypes.NetworkAttachmentConfig {
	name := b.sp.Network
	switch name {
	case "", "none", "default":
		r := rule.Fail("", "")
		if f := b.c.nets["bridge"]; f != nil && !f.ICC {
			r = rule.Pass("", "")
		}
		if b.sp.Waivers.Apply(rule.ContainerNetworkIsolation, r).Status == rule.StatusFail {
			b.gap(Gap{Rule: rule.ContainerNetworkIsolation, Field: "TaskTemplate.Networks",
				Reason: `"none" is not a swarm network: a task without networks joins the node's default bridge`,
				Cover:  `daemon.json "icc": false on every node (it governs the default bridge)`})
		}
		return nil
	case "host", "bridge":
		return []swarmtypes.NetworkAttachmentConfig{{Target: name}}
	}
	if b.sp.Waivers.Apply(rule.ContainerNetworkIsolation, rule.Fail("", "")).Status == rule.StatusFail {
		b.gap(Gap{Rule: rule.ContainerNetworkIsolation, Field: "TaskTemplate.Networks",
			Reason: fmt.Sprintf("overlay network %q has no inter-container-traffic switch: every task on it can reach every other", name),
			Cover:  "one overlay network per service (Deploy creates it encrypted), or host firewall rules"})
	}
	return []swarmtypes.NetworkAttachmentConfig{{Target: name}}
}

func (b *serviceBuilder) ports() *swarmtypes.EndpointSpec {
	hc := b.sp.HostConfig
	if len(hc.PortBindings) == 0 {
		return nil
	}
	ep := &swarmtypes.EndpointSpec{Mode: swarmtypes.ResolutionModeVIP}
	var bound []string
	for _, p := range slices.SortedFunc(maps.Keys(hc.PortBindings), func(x, y network.Port) int { return strings.Compare(x.String(), y.String()) }) {
		for _, pb := range hc.PortBindings[p] {
			pc := swarmtypes.PortConfig{Protocol: p.Proto(), TargetPort: uint32(p.Num()), PublishMode: swarmtypes.PortConfigPublishModeHost}
			if pb.HostPort != "" {
				n, err := strconv.ParseUint(pb.HostPort, 10, 16)
				if err != nil {
					b.fail("published port %q: a swarm service publishes single ports", pb.HostPort)
					continue
				}
				pc.PublishedPort = uint32(n)
			}
			if pb.HostIP.IsValid() && !pb.HostIP.IsUnspecified() {
				bound = append(bound, fmt.Sprintf("%s:%s->%s", pb.HostIP, pb.HostPort, p))
			}
			ep.Ports = append(ep.Ports, pc)
		}
	}
	if b.sp.Waivers.Apply(rule.ContainerPortBindInterface, rule.Fail("", "")).Status == rule.StatusFail {
		reason := "a swarm service cannot bind a published port to a host address: in host mode it listens on every address of the task's node"
		if len(bound) > 0 {
			reason += " (asked for " + strings.Join(bound, ", ") + ")"
		}
		b.gap(Gap{Rule: rule.ContainerPortBindInterface, Field: "EndpointSpec.Ports[].PublishMode=host", Reason: reason,
			Cover: "a host firewall, or docker_gwbridge created with com.docker.network.bridge.host_binding_ipv4 before the node joins the swarm"})
	}
	return ep
}

// SubjectFromService turns a service spec into the subject the container
// rules evaluate, as a task's container would be created from it: the same
// rules judge a container, a service about to be created, and a service
// found on a swarm. nets maps network names and IDs to their facts; waivers
// come from the io.safedock.waive.* labels of the container spec and the
// service.
func SubjectFromService(spec swarmtypes.ServiceSpec, host hardening.HostFacts, nets map[string]*hardening.NetworkFacts) *hardening.Subject {
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil {
		cs = &swarmtypes.ContainerSpec{}
	}
	cfg := &container.Config{
		Image: cs.Image, User: cs.User, Env: cs.Env, Labels: cs.Labels, Healthcheck: cs.Healthcheck,
		Entrypoint: cs.Command, Cmd: cs.Args, WorkingDir: cs.Dir,
	}
	hc := &container.HostConfig{
		ReadonlyRootfs: cs.ReadOnly, CapAdd: cs.CapabilityAdd, CapDrop: cs.CapabilityDrop, Init: cs.Init,
		IpcMode: container.IPCModePrivate,
	}
	if r := spec.TaskTemplate.Resources; r != nil && r.Limits != nil {
		hc.Memory, hc.NanoCPUs = r.Limits.MemoryBytes, r.Limits.NanoCPUs
		if r.Limits.Pids > 0 {
			n := r.Limits.Pids
			hc.PidsLimit = &n
		}
	}
	hc.RestartPolicy = restartFromService(spec.TaskTemplate.RestartPolicy)
	if d := spec.TaskTemplate.LogDriver; d != nil {
		hc.LogConfig = container.LogConfig{Type: d.Name, Config: d.Options}
	}
	if p := cs.Privileges; p != nil {
		if p.NoNewPrivileges {
			hc.SecurityOpt = append(hc.SecurityOpt, "no-new-privileges:true")
		}
		if p.Seccomp != nil {
			switch p.Seccomp.Mode {
			case swarmtypes.SeccompModeUnconfined:
				hc.SecurityOpt = append(hc.SecurityOpt, "seccomp=unconfined")
			case swarmtypes.SeccompModeCustom:
				hc.SecurityOpt = append(hc.SecurityOpt, "seccomp="+string(p.Seccomp.Profile))
			}
		}
		if p.AppArmor != nil && p.AppArmor.Mode == swarmtypes.AppArmorModeDisabled {
			hc.SecurityOpt = append(hc.SecurityOpt, "apparmor=unconfined")
		}
		if p.SELinuxContext != nil && p.SELinuxContext.Disable {
			hc.SecurityOpt = append(hc.SecurityOpt, "label=disable")
		}
	}
	s := &hardening.Subject{Name: spec.Name, Config: cfg, HostConfig: hc, Host: host, Waivers: rule.Waivers{}, ImageID: cs.Image}
	for _, m := range cs.Mounts {
		nm := hardening.Mount{Type: m.Type, Source: m.Source, Destination: m.Target, RW: !m.ReadOnly}
		if m.BindOptions != nil {
			nm.Propagation = m.BindOptions.Propagation
		}
		if m.Type == mount.TypeTmpfs {
			opts := slices.Clone(swarmTmpfsDefaults)
			if m.TmpfsOptions != nil {
				for _, o := range m.TmpfsOptions.Options {
					opts = append(opts, strings.Join(o, "="))
				}
				if m.TmpfsOptions.SizeBytes > 0 {
					opts = append(opts, "size="+strconv.FormatInt(m.TmpfsOptions.SizeBytes, 10))
				}
			}
			nm.Options = strings.Join(opts, ",")
		}
		s.Mounts = append(s.Mounts, nm)
	}
	if ep := spec.EndpointSpec; ep != nil && len(ep.Ports) > 0 {
		hc.PortBindings = network.PortMap{}
		cfg.ExposedPorts = network.PortSet{}
		for _, pc := range ep.Ports {
			proto := pc.Protocol
			if proto == "" {
				proto = network.TCP
			}
			p, err := network.ParsePort(fmt.Sprintf("%d/%s", pc.TargetPort, proto))
			if err != nil {
				continue
			}
			hp := ""
			if pc.PublishedPort > 0 {
				hp = strconv.FormatUint(uint64(pc.PublishedPort), 10)
			}
			// Neither mode can bind an address: HostIP stays unset.
			hc.PortBindings[p] = append(hc.PortBindings[p], network.PortBinding{HostPort: hp})
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	hc.NetworkMode = "default"
	if len(spec.TaskTemplate.Networks) == 0 {
		s.Networks = map[string]*hardening.NetworkFacts{"bridge": nets["bridge"]}
	} else {
		s.Networks = map[string]*hardening.NetworkFacts{}
		for _, n := range spec.TaskTemplate.Networks {
			f := nets[n.Target]
			name := n.Target
			if f != nil && f.Name != "" {
				name = f.Name
			}
			if name == "host" {
				hc.NetworkMode = "host"
			}
			if f == nil && (name != "host" && name != "bridge") {
				// Overlay networks have no ICC switch at all.
				f = &hardening.NetworkFacts{Name: name, Driver: "overlay", ICC: true}
			}
			s.Networks[name] = f
			if hc.NetworkMode == "default" {
				hc.NetworkMode = container.NetworkMode(name)
			}
		}
	}
	for _, ls := range []map[string]string{spec.Labels, cs.Labels} {
		for k, v := range ls {
			if id, ok := strings.CutPrefix(k, hardening.LabelWaivePrefix); ok {
				s.Waivers[rule.ID(id)] = v
			}
		}
	}
	return s
}

func restartFromService(rp *swarmtypes.RestartPolicy) container.RestartPolicy {
	if rp == nil {
		// Swarm's default is "any", without a bound.
		return container.RestartPolicy{Name: container.RestartPolicyAlways}
	}
	switch rp.Condition {
	case swarmtypes.RestartPolicyConditionNone:
		return container.RestartPolicy{Name: container.RestartPolicyDisabled}
	case swarmtypes.RestartPolicyConditionOnFailure:
		n := 0
		if rp.MaxAttempts != nil {
			n = int(*rp.MaxAttempts)
		}
		return container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: n}
	}
	return container.RestartPolicy{Name: container.RestartPolicyAlways}
}

// parseAPIVersion parses "1.41".
func parseAPIVersion(v string) (int, int, bool) {
	a, b, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	if !ok {
		return 0, 0, false
	}
	maj, err1 := strconv.Atoi(a)
	mnr, err2 := strconv.Atoi(b)
	return maj, mnr, err1 == nil && err2 == nil && maj >= 0 && mnr >= 0
}

// apiAtLeast reports whether version v is at least min; an unparsable v
// counts as the oldest.
func apiAtLeast(v, min string) bool {
	a1, b1, ok := parseAPIVersion(v)
	if !ok {
		return false
	}
	a2, b2, _ := parseAPIVersion(min)
	return a1 > a2 || (a1 == a2 && b1 >= b2)
}
