package kube

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// ErrNotExpressible wraps settings of a spec that a pod cannot carry
// faithfully and that Export refuses rather than weaken or guess (a user
// name, a custom seccomp profile without WithLocalhostSeccomp, a mount type
// Kubernetes lacks).
var ErrNotExpressible = errors.New("not expressible in a pod")

// AnnotationWaivePrefix + rule ID is the pod annotation holding a waiver's
// reason, so that whoever reads the pod sees what was loosened and why.
const AnnotationWaivePrefix = "safedock.io/waive."

// DefaultName is the pod and container name when neither the spec nor
// WithName gives one.
const DefaultName = "safedock"

// NoteKind says what a Note is about.
type NoteKind string

// Note kinds.
const (
	// NoteWaived: a waiver loosens the named pod field.
	NoteWaived NoteKind = "waived"
	// NoteElsewhere: the pod has no field for the rule; it is enforced by
	// the node or the cluster (kubelet configuration, NetworkPolicy).
	NoteElsewhere NoteKind = "elsewhere"
	// NoteDiffers: the pod expresses the rule, but not exactly as Docker
	// does (stronger or weaker; the text says which).
	NoteDiffers NoteKind = "differs"
)

// Note is one thing the exported pod does not say by itself.
type Note struct {
	Rule  rule.ID
	Kind  NoteKind
	Field string // the pod field concerned; empty when there is none
	Text  string
}

// String renders the note on one line.
func (n Note) String() string {
	s := string(n.Kind) + " " + string(n.Rule)
	if n.Field != "" {
		s += " (" + n.Field + ")"
	}
	return s + ": " + n.Text
}

// Manifest is the result of Export: a Pod and the notes that go with it.
type Manifest struct {
	// Pod is the exported pod (apiVersion v1, kind Pod), with one container.
	Pod *corev1.Pod
	// Notes lists, in rule catalog order, the waivers and the rules the pod
	// carries only approximately or not at all. Never silently empty: a
	// rule the pod cannot carry always has a note.
	Notes []Note
}

// Option changes how Export renders a spec.
type Option func(*config) error

type config struct {
	name, namespace  string
	hostPorts        bool
	userNamespace    bool
	localhostSeccomp string
}

// WithName names the pod and its container (a DNS-1123 label). Without it
// the spec's name is used, lower-cased, with '_' and '.' turned into '-'.
func WithName(name string) Option {
	return func(c *config) error {
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			return fmt.Errorf("name %q: %s", name, strings.Join(errs, "; "))
		}
		c.name = name
		return nil
	}
}

// WithNamespace sets the pod's namespace.
func WithNamespace(ns string) Option {
	return func(c *config) error {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return fmt.Errorf("namespace %q: %s", ns, strings.Join(errs, "; "))
		}
		c.namespace = ns
		return nil
	}
}

// WithHostPorts publishes the spec's ports on the node as well (hostPort and
// hostIP). Pod Security baseline and restricted refuse any host port, so
// the default is containerPort only, with exposure left to a Service.
func WithHostPorts() Option {
	return func(c *config) error { c.hostPorts = true; return nil }
}

// WithUserNamespace runs the pod in its own user namespace (hostUsers:
// false), the pod's counterpart of Docker's userns-remap. The nodes must
// support user namespaces.
func WithUserNamespace() Option {
	return func(c *config) error { c.userNamespace = true; return nil }
}

// WithLocalhostSeccomp names the seccomp profile file, relative to the
// kubelet's seccomp directory, that carries the spec's custom seccomp
// profile (type Localhost). Export refuses a custom profile without it.
func WithLocalhostSeccomp(relPath string) Option {
	return func(c *config) error {
		if relPath == "" || path.IsAbs(relPath) || strings.HasPrefix(path.Clean(relPath), "..") {
			return fmt.Errorf("localhost seccomp profile %q: want a path relative to the kubelet's seccomp directory", relPath)
		}
		c.localhostSeccomp = relPath
		return nil
	}
}

// Export renders a hardening spec as a Kubernetes Pod with one container.
//
// It first enforces the spec's rules (the same check hardening.Build ends
// with), so a spec that breaks a rule without a waiver is refused: Export
// never loosens what Build would refuse. Each waived rule loosens only the
// fields Mappings names for it, and is recorded as a pod annotation and a
// NoteWaived. Settings a pod cannot carry are refused with an error wrapping
// ErrNotExpressible, or kept out with a Note saying where they belong.
func Export(sp *hardening.Spec, opts ...Option) (*Manifest, error) {
	if sp == nil || sp.Config == nil || sp.HostConfig == nil {
		return nil, errors.New("export pod: nil or incomplete spec (use hardening.Build)")
	}
	var c config
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			return nil, fmt.Errorf("export pod: %w", err)
		}
	}
	if err := sp.Enforce(); err != nil {
		return nil, fmt.Errorf("export pod: %w", err)
	}
	e := &exporter{sp: sp, hc: sp.HostConfig, cfg: &c}
	pod, err := e.pod()
	if err != nil {
		return nil, fmt.Errorf("export pod: %w", err)
	}
	return &Manifest{Pod: pod, Notes: e.sortedNotes()}, nil
}

type exporter struct {
	sp    *hardening.Spec
	hc    *container.HostConfig
	cfg   *config
	notes []Note
}

func (e *exporter) note(id rule.ID, kind NoteKind, field, format string, args ...any) {
	e.notes = append(e.notes, Note{Rule: id, Kind: kind, Field: field, Text: fmt.Sprintf(format, args...)})
}

func (e *exporter) pod() (*corev1.Pod, error) {
	name, err := e.name()
	if err != nil {
		return nil, err
	}
	ctr := corev1.Container{
		Name:       name,
		Image:      e.sp.Config.Image,
		Command:    slices.Clone(e.sp.Config.Entrypoint),
		Args:       slices.Clone(e.sp.Config.Cmd),
		WorkingDir: e.sp.Config.WorkingDir,
	}
	for _, kv := range e.sp.Config.Env {
		k, v, _ := strings.Cut(kv, "=")
		ctr.Env = append(ctr.Env, corev1.EnvVar{Name: k, Value: v})
	}
	spec := corev1.PodSpec{
		AutomountServiceAccountToken: ptr(false),
		HostNetwork:                  e.hc.NetworkMode.IsHost(),
		HostPID:                      e.hc.PidMode.IsHost(),
		HostIPC:                      e.hc.IpcMode.IsHost(),
	}
	if e.hc.NetworkMode.IsContainer() || e.hc.PidMode.IsContainer() || e.hc.IpcMode.IsContainer() {
		return nil, fmt.Errorf("%w: sharing another container's namespaces (put both containers in one pod instead)", ErrNotExpressible)
	}
	if e.cfg.userNamespace {
		if spec.HostNetwork || spec.HostPID || spec.HostIPC {
			return nil, errors.New("a user namespace (hostUsers: false) cannot be combined with host namespaces")
		}
		spec.HostUsers = ptr(false)
	}
	if spec.SecurityContext, err = e.podSecurityContext(); err != nil {
		return nil, err
	}
	if ctr.SecurityContext, err = e.containerSecurityContext(); err != nil {
		return nil, err
	}
	if err := e.serviceSettings(&spec); err != nil {
		return nil, err
	}
	ctr.Resources = e.resources()
	if ctr.Ports, err = e.ports(); err != nil {
		return nil, err
	}
	if spec.Volumes, ctr.VolumeMounts, err = e.volumes(); err != nil {
		return nil, err
	}
	if ctr.LivenessProbe, err = e.probe(); err != nil {
		return nil, err
	}
	spec.RestartPolicy = e.restartPolicy()
	e.nodeLevel()
	spec.Containers = []corev1.Container{ctr}

	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.cfg.namespace},
		Spec:       spec,
	}
	e.waivers(pod)
	return pod, nil
}

func (e *exporter) name() (string, error) {
	if e.cfg.name != "" {
		return e.cfg.name, nil
	}
	if e.sp.Name == "" {
		return DefaultName, nil
	}
	n := strings.Trim(strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(e.sp.Name)), "-")
	if errs := validation.IsDNS1123Label(n); len(errs) > 0 {
		return "", fmt.Errorf("container name %q is not a valid pod name (%s): use WithName", e.sp.Name, strings.Join(errs, "; "))
	}
	return n, nil
}

// waivers annotates the pod with every waiver and notes those that loosen
// a rule on this spec (the spec's own check says which).
func (e *exporter) waivers(pod *corev1.Pod) {
	if len(e.sp.Waivers) == 0 {
		return
	}
	pod.Annotations = map[string]string{}
	for id, reason := range e.sp.Waivers {
		pod.Annotations[AnnotationWaivePrefix+string(id)] = reason
	}
	for _, f := range e.sp.Check() {
		if f.Status != rule.StatusWaived {
			continue
		}
		field := "no pod field"
		if m, ok := MappingOf(f.Rule); ok && len(m.Fields) > 0 {
			field = strings.Join(m.Fields, ", ")
		}
		e.note(f.Rule, NoteWaived, field, "%s", e.sp.Waivers[f.Rule])
	}
}

// user resolves the effective user to numeric IDs. The gid is nil when the
// spec names no group (the image's primary group applies).
func (e *exporter) user() (uid int64, gid *int64, err error) {
	u := e.sp.Config.User
	if u == "" && e.sp.Image != nil {
		u = e.sp.Image.User
	}
	if u == "" {
		return 0, nil, nil // root: Enforce let it through, so it is waived
	}
	name, group, hasGroup := strings.Cut(u, ":")
	if uid, err = numericID(name); err != nil {
		return 0, nil, fmt.Errorf("%w: user %q: the kubelet verifies runAsNonRoot only for a numeric UID; set a numeric user (uid[:gid])", ErrNotExpressible, u)
	}
	if hasGroup {
		g, err := numericID(group)
		if err != nil {
			return 0, nil, fmt.Errorf("%w: group %q: runAsGroup must be numeric; set a numeric user (uid[:gid])", ErrNotExpressible, group)
		}
		gid = &g
	}
	return uid, gid, nil
}

func numericID(s string) (int64, error) {
	if s == "root" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 1<<31-1 {
		return 0, errors.New("not a numeric id")
	}
	return n, nil
}

func (e *exporter) podSecurityContext() (*corev1.PodSecurityContext, error) {
	uid, gid, err := e.user()
	if err != nil {
		return nil, err
	}
	psc := &corev1.PodSecurityContext{
		RunAsUser:    ptr(uid),
		RunAsGroup:   gid,
		RunAsNonRoot: ptr(uid != 0),
	}
	// seccomp
	switch v, ok := hardening.SecurityOption(e.hc, "seccomp"); {
	case e.hc.Privileged:
		// Docker runs a privileged container without seccomp; so does the
		// CRI. Say so instead of claiming a profile.
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	case ok && v == "unconfined":
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	case ok && v != "builtin":
		if e.cfg.localhostSeccomp == "" {
			return nil, fmt.Errorf("%w: a custom seccomp profile: install it on the nodes and name it with WithLocalhostSeccomp", ErrNotExpressible)
		}
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr(e.cfg.localhostSeccomp)}
	default:
		psc.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	// AppArmor
	switch v, ok := hardening.SecurityOption(e.hc, "apparmor"); {
	case ok && v == "unconfined":
		psc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	case ok && (v == "docker-default" || v == ""):
		psc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	case ok:
		psc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: ptr(v)}
	default:
		e.note(rule.ContainerAppArmor, NoteDiffers, fieldPodSC+"appArmorProfile",
			"left unset because the spec names no profile (host facts unknown or no AppArmor); on AppArmor nodes the runtime's default profile applies anyway")
	}
	// SELinux
	if se, err := e.seLinux(); err != nil {
		return nil, err
	} else if se != nil {
		psc.SELinuxOptions = se
	}
	return psc, nil
}

// seLinux maps label=... security options: type/level/user/role, and
// disable to the unconfined container type spc_t.
func (e *exporter) seLinux() (*corev1.SELinuxOptions, error) {
	l, ok, err := hardening.ParseSELinuxLabel(e.hc)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrNotExpressible, err)
	case !ok:
		return nil, nil
	case l.Disable:
		return &corev1.SELinuxOptions{Type: "spc_t"}, nil
	}
	// nested and filetype (l.Other) need no pod field.
	return &corev1.SELinuxOptions{User: l.User, Role: l.Role, Type: l.Type, Level: l.Level}, nil
}

func (e *exporter) containerSecurityContext() (*corev1.SecurityContext, error) {
	sc := &corev1.SecurityContext{
		ReadOnlyRootFilesystem: ptr(e.hc.ReadonlyRootfs),
		Capabilities:           &corev1.Capabilities{},
	}
	for _, c := range e.hc.CapDrop {
		sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(policy.NormalizeCapability(c)))
	}
	var beyondRestricted []string
	for _, c := range e.hc.CapAdd {
		n := policy.NormalizeCapability(c)
		sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(n))
		if n != "NET_BIND_SERVICE" {
			beyondRestricted = append(beyondRestricted, n)
		}
	}
	if _, waived := e.sp.Waivers[rule.ContainerCapabilities]; len(beyondRestricted) > 0 && !waived {
		e.note(rule.ContainerCapabilities, NoteDiffers, fieldCtrSC+"capabilities.add",
			"%s allowed by safedock, but Pod Security restricted allows adding only NET_BIND_SERVICE: the namespace needs level baseline",
			strings.Join(beyondRestricted, ", "))
	}
	if e.hc.Privileged {
		sc.Privileged = ptr(true)
		// The API refuses allowPrivilegeEscalation=false with privileged.
		return sc, nil
	}
	switch v, ok := hardening.SecurityOption(e.hc, "no-new-privileges"); {
	case ok && (v == "" || v == "true"):
		sc.AllowPrivilegeEscalation = ptr(false)
	case ok:
		sc.AllowPrivilegeEscalation = ptr(true)
	case e.sp.Host.NoNewPrivileges:
		// The Docker daemon sets it by default; a pod must say it itself.
		sc.AllowPrivilegeEscalation = ptr(false)
	default:
		sc.AllowPrivilegeEscalation = ptr(true)
	}
	return sc, nil
}

// serviceSettings carries the settings of a long-running service
// (hardening's service options) into the pod: hostname, stop timeout
// (terminationGracePeriodSeconds), sysctls and extra hosts (hostAliases).
// Those a pod has no field for are refused (ErrNotExpressible), never
// dropped.
func (e *exporter) serviceSettings(spec *corev1.PodSpec) error {
	cfg, hc := e.sp.Config, e.hc
	var bad []string
	if cfg.Hostname != "" {
		if errs := validation.IsDNS1123Label(cfg.Hostname); len(errs) > 0 {
			return fmt.Errorf("%w: hostname %q: a pod hostname is a DNS-1123 label (%s)", ErrNotExpressible, cfg.Hostname, strings.Join(errs, "; "))
		}
		spec.Hostname = cfg.Hostname
	}
	if cfg.StopTimeout != nil {
		spec.TerminationGracePeriodSeconds = ptr(int64(*cfg.StopTimeout))
	}
	if len(hc.Sysctls) > 0 {
		if spec.SecurityContext == nil {
			spec.SecurityContext = &corev1.PodSecurityContext{}
		}
		for _, k := range slices.Sorted(maps.Keys(hc.Sysctls)) {
			spec.SecurityContext.Sysctls = append(spec.SecurityContext.Sysctls, corev1.Sysctl{Name: k, Value: hc.Sysctls[k]})
		}
	}
	for _, h := range hc.ExtraHosts {
		name, ip, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("%w: extra host %q", ErrNotExpressible, h)
		}
		spec.HostAliases = append(spec.HostAliases, corev1.HostAlias{IP: ip, Hostnames: []string{name}})
	}
	if cfg.StopSignal != "" {
		bad = append(bad, "stop signal "+cfg.StopSignal)
	}
	if hc.Init != nil && *hc.Init {
		bad = append(bad, "init")
	}
	if len(hc.Ulimits) > 0 {
		bad = append(bad, "ulimits")
	}
	if len(hc.DNS) > 0 || len(hc.DNSSearch) > 0 || len(hc.DNSOptions) > 0 {
		bad = append(bad, "DNS settings (the cluster's DNS decides)")
	}
	if len(hc.GroupAdd) > 0 {
		bad = append(bad, "supplementary groups "+strings.Join(hc.GroupAdd, ","))
	}
	if hc.ShmSize > 0 {
		bad = append(bad, "shm size")
	}
	if hc.MemorySwap != 0 {
		bad = append(bad, "memory-swap")
	}
	if n := e.sp.Networking; n != nil {
		for name, ep := range n.EndpointsConfig {
			if name != e.sp.Network && name != string(hc.NetworkMode) {
				bad = append(bad, "added network "+name)
			} else if ep != nil && len(ep.Aliases) > 0 {
				bad = append(bad, "network aliases (use a Service)")
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return fmt.Errorf("%w: a pod has no field for: %s", ErrNotExpressible, strings.Join(bad, "; "))
	}
	return nil
}

func (e *exporter) resources() corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	if e.hc.Memory > 0 {
		r.Limits = corev1.ResourceList{corev1.ResourceMemory: *resource.NewQuantity(e.hc.Memory, resource.BinarySI)}
	}
	if e.hc.NanoCPUs > 0 {
		if r.Limits == nil {
			r.Limits = corev1.ResourceList{}
		}
		r.Limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(e.hc.NanoCPUs/1e6, resource.DecimalSI)
	}
	if e.hc.CPUShares > 0 {
		// The kubelet sets cpu.shares = milliCPU*1024/1000; invert it.
		milli := (e.hc.CPUShares*1000 + 1023) / 1024
		r.Requests = corev1.ResourceList{corev1.ResourceCPU: *resource.NewMilliQuantity(milli, resource.DecimalSI)}
	}
	return r
}

func (e *exporter) ports() ([]corev1.ContainerPort, error) {
	var out []corev1.ContainerPort
	var dropped []string
	for p, bindings := range e.hc.PortBindings {
		proto := corev1.Protocol(strings.ToUpper(string(p.Proto())))
		switch proto {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			return nil, fmt.Errorf("%w: port protocol %q", ErrNotExpressible, p.Proto())
		}
		cp := corev1.ContainerPort{ContainerPort: int32(p.Num()), Protocol: proto}
		if len(bindings) == 0 || !e.cfg.hostPorts {
			out = append(out, cp)
			for _, b := range bindings {
				dropped = append(dropped, fmt.Sprintf("%s:%s->%s", hostIP(b.HostIP.String()), b.HostPort, p))
			}
			continue
		}
		for _, b := range bindings {
			hp := cp
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				hp.HostIP = b.HostIP.String()
			}
			if b.HostPort != "" {
				n, err := strconv.Atoi(b.HostPort)
				if err != nil {
					return nil, fmt.Errorf("%w: host port range %q", ErrNotExpressible, b.HostPort)
				}
				hp.HostPort = int32(n)
			}
			out = append(out, hp)
		}
	}
	slices.SortFunc(out, func(a, b corev1.ContainerPort) int {
		if a.ContainerPort != b.ContainerPort {
			return int(a.ContainerPort - b.ContainerPort)
		}
		if a.Protocol != b.Protocol {
			return strings.Compare(string(a.Protocol), string(b.Protocol))
		}
		return int(a.HostPort - b.HostPort)
	})
	if len(dropped) > 0 {
		slices.Sort(dropped)
		e.note(rule.ContainerPortBindInterface, NoteDiffers, "spec.containers[].ports[]",
			"published as containerPort only; host bindings %s are not carried (expose the pod with a Service, or export WithHostPorts)", strings.Join(dropped, ", "))
	}
	return out, nil
}

func hostIP(s string) string {
	if s == "invalid IP" {
		return ""
	}
	return s
}

func (e *exporter) volumes() ([]corev1.Volume, []corev1.VolumeMount, error) {
	mounts := e.sp.Subject().Mounts
	if want := len(e.hc.Binds) + len(e.hc.Mounts) + len(e.hc.Tmpfs); len(mounts) != want {
		return nil, nil, fmt.Errorf("%d of %d mounts could not be read: check the spec's binds", want-len(mounts), want)
	}
	slices.SortFunc(mounts, func(a, b hardening.Mount) int { return strings.Compare(a.Destination, b.Destination) })
	var vols []corev1.Volume
	var vms []corev1.VolumeMount
	used := map[string]bool{}
	tmpfsCount := 0
	for _, m := range mounts {
		vm := corev1.VolumeMount{MountPath: m.Destination, ReadOnly: !m.RW}
		var v corev1.Volume
		switch m.Type {
		case mount.TypeTmpfs:
			tmpfsCount++
			ed := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
			for _, o := range strings.Split(m.Options, ",") {
				k, val, _ := strings.Cut(strings.TrimSpace(o), "=")
				if k != "size" {
					continue
				}
				n, err := units.RAMInBytes(val)
				if err != nil {
					return nil, nil, fmt.Errorf("%w: tmpfs %s size %q", ErrNotExpressible, m.Destination, val)
				}
				ed.SizeLimit = resource.NewQuantity(n, resource.BinarySI)
			}
			v = corev1.Volume{Name: volumeName("tmpfs", m.Destination, used), VolumeSource: corev1.VolumeSource{EmptyDir: ed}}
		case mount.TypeBind:
			v = corev1.Volume{Name: volumeName("host", m.Source, used), VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.Source}}}
		case mount.TypeVolume:
			if m.Source == "" {
				return nil, nil, fmt.Errorf("%w: anonymous volume at %s (name it; it becomes a PersistentVolumeClaim)", ErrNotExpressible, m.Destination)
			}
			v = corev1.Volume{Name: volumeName("vol", m.Source, used), VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: m.Source, ReadOnly: !m.RW}}}
		default:
			return nil, nil, fmt.Errorf("%w: %s mount at %s", ErrNotExpressible, m.Type, m.Destination)
		}
		switch m.Propagation {
		case mount.PropagationShared, mount.PropagationRShared:
			vm.MountPropagation = ptr(corev1.MountPropagationBidirectional)
		case mount.PropagationSlave, mount.PropagationRSlave:
			vm.MountPropagation = ptr(corev1.MountPropagationHostToContainer)
		}
		vm.Name = v.Name
		vols = append(vols, v)
		vms = append(vms, vm)
	}
	if tmpfsCount > 0 {
		e.note(rule.ContainerTmpfsFlags, NoteDiffers, "spec.volumes[].emptyDir",
			"weaker: emptyDir (medium Memory) is mounted without noexec, nosuid or nodev; dropped capabilities and allowPrivilegeEscalation=false limit what that allows")
	}
	return vols, vms, nil
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// volumeName derives a unique DNS-1123 label from a prefix and a path or name.
func volumeName(prefix, s string, used map[string]bool) string {
	base := prefix
	if t := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(s), "-"), "-"); t != "" {
		base += "-" + t
	}
	if len(base) > 55 {
		base = strings.TrimRight(base[:55], "-")
	}
	n := base
	for i := 2; used[n]; i++ {
		n = base + "-" + strconv.Itoa(i)
	}
	used[n] = true
	return n
}

func (e *exporter) probe() (*corev1.Probe, error) {
	hc := e.sp.Config.Healthcheck
	if hc == nil || len(hc.Test) == 0 {
		if e.sp.Image != nil && e.sp.Image.Healthcheck {
			e.note(rule.ContainerHealthcheck, NoteDiffers, "spec.containers[].livenessProbe",
				"Kubernetes ignores the image's HEALTHCHECK: add a livenessProbe running the same command")
		}
		return nil, nil
	}
	var cmd []string
	switch hc.Test[0] {
	case "NONE":
		return nil, nil
	case "CMD":
		cmd = slices.Clone(hc.Test[1:])
	case "CMD-SHELL":
		cmd = []string{"/bin/sh", "-c", strings.Join(hc.Test[1:], " ")}
	default:
		return nil, fmt.Errorf("%w: healthcheck test %q", ErrNotExpressible, hc.Test[0])
	}
	p := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}}}
	secs := func(d time.Duration) int32 { return int32((d + time.Second - 1) / time.Second) }
	if hc.Interval > 0 {
		p.PeriodSeconds = secs(hc.Interval)
	}
	if hc.Timeout > 0 {
		p.TimeoutSeconds = secs(hc.Timeout)
	}
	if hc.StartPeriod > 0 {
		p.InitialDelaySeconds = secs(hc.StartPeriod)
	}
	if hc.Retries > 0 {
		p.FailureThreshold = int32(hc.Retries)
	}
	return p, nil
}

func (e *exporter) restartPolicy() corev1.RestartPolicy {
	rp := e.hc.RestartPolicy
	switch rp.Name {
	case container.RestartPolicyOnFailure:
		e.note(rule.ContainerRestartPolicy, NoteDiffers, "spec.restartPolicy",
			"OnFailure cannot bound retries (Docker stops after %d); the kubelet retries with back-off up to 5 minutes, forever: run it as a Job with backoffLimit: %d for a bound",
			rp.MaximumRetryCount, rp.MaximumRetryCount)
		return corev1.RestartPolicyOnFailure
	case container.RestartPolicyAlways, container.RestartPolicyUnlessStopped:
		return corev1.RestartPolicyAlways
	}
	return corev1.RestartPolicyNever
}

// nodeLevel notes the rules a pod has no field for.
func (e *exporter) nodeLevel() {
	if p := e.hc.PidsLimit; p != nil && *p > 0 {
		e.note(rule.ContainerPidsLimit, NoteElsewhere, "",
			"PidsLimit=%d has no pod field: set podPidsLimit in the kubelet's configuration (it bounds every pod on the node)", *p)
	}
	if lc := e.hc.LogConfig; lc.Type != "" {
		e.note(rule.ContainerLogRotation, NoteElsewhere, "",
			"log driver %s is not carried: the kubelet rotates container logs (containerLogMaxSize, containerLogMaxFiles)", lc.Type)
	}
	e.note(rule.ContainerNetworkIsolation, NoteElsewhere, "",
		"network %q is not carried: every pod gets a network; apply a default-deny NetworkPolicy to the namespace", e.sp.Network)
	if e.hc.UTSMode.IsHost() && !e.hc.NetworkMode.IsHost() {
		e.note(rule.ContainerHostUTS, NoteDiffers, "", "stronger: a pod shares the host's UTS namespace only with hostNetwork; the pod keeps its own")
	}
	if n := len(e.hc.Devices) + len(e.hc.DeviceRequests) + len(e.hc.DeviceCgroupRules); n > 0 {
		e.note(rule.ContainerHostDevices, NoteElsewhere, "", "%d device settings are not carried: a pod gets devices from a device plugin", n)
	}
	if e.hc.CgroupParent != "" {
		e.note(rule.ContainerCgroupParent, NoteElsewhere, "", "cgroup parent %q is not carried: the kubelet places pods in its own hierarchy", e.hc.CgroupParent)
	}
	if e.hc.UsernsMode.IsHost() && e.cfg.userNamespace {
		e.note(rule.ContainerHostUserns, NoteDiffers, "spec.hostUsers", "stronger: the spec shares the host's user namespace, the pod gets its own (WithUserNamespace)")
	}
}

func (e *exporter) sortedNotes() []Note {
	order := map[rule.ID]int{}
	for i, m := range mappings {
		order[m.Rule] = i
	}
	slices.SortStableFunc(e.notes, func(a, b Note) int {
		if d := order[a.Rule] - order[b.Rule]; d != 0 {
			return d
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	return e.notes
}

func ptr[T any](v T) *T { return &v }
