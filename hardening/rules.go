package hardening

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// check evaluates one rule on one subject.
type check func(s *Subject) rule.Result

// apply sets a rule's secure default on a spec. Nil for rules the builder
// cannot enforce (they depend on the image or on the running container).
type apply func(sp *Spec)

// entry binds a rule's metadata to the functions that enforce and check it.
type entry struct {
	rule  rule.Rule
	apply apply
	check check
}

// Rules returns the container rules that hardening enforces and audits, in
// catalog order. Each call returns a fresh copy.
func Rules() rule.Catalog {
	var c rule.Catalog
	for _, e := range entries() {
		r := e.rule
		r.CIS = slices.Clone(r.CIS)
		c = append(c, r)
	}
	return c
}

// entries is the table: one line per rule, in the catalog's order. It is
// built once and never changed; callers must not modify it.
var entries = sync.OnceValue(buildEntries)

func buildEntries() []entry {
	fns := map[rule.ID]struct {
		apply apply
		check check
	}{
		rule.ContainerNonRootUser:        {nil, checkNonRootUser},
		rule.ContainerCapabilities:       {applyCapDropAll, checkCapabilities},
		rule.ContainerPrivileged:         {nil, checkPrivileged},
		rule.ContainerSensitiveMounts:    {nil, checkSensitiveMounts},
		rule.ContainerNoSSHD:             {nil, checkNoSSHD},
		rule.ContainerPrivilegedPorts:    {nil, checkPrivilegedPorts},
		rule.ContainerHostNetwork:        {applyNoNetwork, checkHostNetwork},
		rule.ContainerMemoryLimit:        {applyMemory, checkMemory},
		rule.ContainerCPUShares:          {applyCPUShares, checkCPUShares},
		rule.ContainerReadOnlyRootfs:     {applyReadOnly, checkReadOnly},
		rule.ContainerPortBindInterface:  {nil, checkPortBindInterface},
		rule.ContainerRestartPolicy:      {applyRestart, checkRestart},
		rule.ContainerHostPID:            {nil, checkNamespace("PidMode", func(hc *container.HostConfig) string { return string(hc.PidMode) })},
		rule.ContainerHostIPC:            {applyPrivateIPC, checkNamespace("IpcMode", func(hc *container.HostConfig) string { return string(hc.IpcMode) })},
		rule.ContainerHostDevices:        {nil, checkDevices},
		rule.ContainerMountPropagation:   {nil, checkPropagation},
		rule.ContainerHostUTS:            {nil, checkNamespace("UTSMode", func(hc *container.HostConfig) string { return string(hc.UTSMode) })},
		rule.ContainerSeccomp:            {nil, checkSeccomp},
		rule.ContainerAppArmor:           {applyAppArmor, checkAppArmor},
		rule.ContainerSELinux:            {applySELinux, checkSELinux},
		rule.ContainerCgroupParent:       {nil, checkCgroupParent},
		rule.ContainerNoNewPrivileges:    {applyNoNewPrivileges, checkNoNewPrivileges},
		rule.ContainerHealthcheck:        {nil, checkHealthcheck},
		rule.ContainerPidsLimit:          {applyPidsLimit, checkPidsLimit},
		rule.ContainerHostUserns:         {nil, checkUserns},
		rule.ContainerDockerSocket:       {nil, checkDockerSocket},
		rule.ContainerImagePinned:        {nil, checkImagePinned},
		rule.ContainerLogRotation:        {applyLogRotation, checkLogRotation},
		rule.ContainerNetworkIsolation:   {nil, checkNetworkIsolation},
		rule.ContainerWritableTmpfsFlags: {applyTmpfs, checkTmpfsFlags},
	}
	var out []entry
	for _, r := range rule.ContainerRules() {
		f, ok := fns[r.ID]
		if !ok {
			continue
		}
		out = append(out, entry{rule: r, apply: f.apply, check: f.check})
	}
	return out
}

// Evaluate checks every rule on s and returns one finding per rule, with
// s.Waivers applied. It is what both Build (enforce) and Audit (check) use.
func Evaluate(s *Subject) []rule.Finding {
	es := entries()
	out := make([]rule.Finding, 0, len(es))
	target := s.Target()
	for _, e := range es {
		res := e.check(s)
		res = s.Waivers.Apply(e.rule.ID, res)
		if res.Method == "" {
			res.Method = "config"
		}
		out = append(out, e.rule.Finding(target, res))
	}
	return out
}

// Secure defaults beyond policy's (whose limits, tmpfs and user the
// defaults below apply). Callers change them with options; the rules still
// judge the result.
const (
	// MaxRestarts is the most on-failure retries the restart rule allows.
	MaxRestarts = 5
)

func applyCapDropAll(sp *Spec) { sp.HostConfig.CapDrop = []string{"ALL"} }
func applyNoNetwork(sp *Spec)  { sp.HostConfig.NetworkMode = "none" }
func applyMemory(sp *Spec)     { sp.HostConfig.Memory = policy.DefaultMemory }
func applyCPUShares(sp *Spec)  { sp.HostConfig.CPUShares = policy.DefaultCPUShares }
func applyReadOnly(sp *Spec)   { sp.HostConfig.ReadonlyRootfs = true }
func applyPrivateIPC(sp *Spec) { sp.HostConfig.IpcMode = container.IPCModePrivate }
func applyPidsLimit(sp *Spec)  { n := policy.DefaultPidsLimit; sp.HostConfig.PidsLimit = &n }
func applyRestart(sp *Spec) {
	sp.HostConfig.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: MaxRestarts}
}
func applyNoNewPrivileges(sp *Spec) { addSecurityOpt(sp.HostConfig, "no-new-privileges:true") }

// The host-dependent defaults add their option only when the caller set
// none for that key: an explicit choice is what the rules then judge.
func applyAppArmor(sp *Spec) {
	if _, set := SecurityOption(sp.HostConfig, "apparmor"); sp.Host.AppArmor && !set {
		addSecurityOpt(sp.HostConfig, "apparmor=docker-default")
	}
}
func applySELinux(sp *Spec) {
	if _, set, _ := ParseSELinuxLabel(sp.HostConfig); sp.Host.SELinux && !set {
		addSecurityOpt(sp.HostConfig, "label=type:container_t")
	}
}
func applyLogRotation(sp *Spec) {
	sp.HostConfig.LogConfig = container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m", "max-file": "3"}}
}
func applyTmpfs(sp *Spec) {
	if sp.HostConfig.Tmpfs == nil {
		sp.HostConfig.Tmpfs = map[string]string{}
	}
	sp.HostConfig.Tmpfs["/tmp"] = policy.DefaultTmpfs
}

func addSecurityOpt(hc *container.HostConfig, opt string) {
	if !slices.Contains(hc.SecurityOpt, opt) {
		hc.SecurityOpt = append(hc.SecurityOpt, opt)
	}
}

func checkNonRootUser(s *Subject) rule.Result {
	u, known := s.user()
	if !known {
		return rule.Fail("user unknown: no user set and the image is not known", "Config.User is empty")
	}
	if u == "" {
		return rule.Fail("runs as root: neither the container nor the image sets a user", "Config.User is empty")
	}
	if isRootUser(u) {
		return rule.Fail("runs as root", fmt.Sprintf("User=%q", u))
	}
	return rule.Pass("runs as a non-root user", fmt.Sprintf("User=%q", u))
}

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0" || name == ""
}

func checkCapabilities(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.Privileged {
		return rule.Fail("privileged: every capability is granted", "HostConfig.Privileged=true")
	}
	var bad []string
	for _, c := range hc.CapAdd {
		if policy.IsDangerousCapability(c) {
			bad = append(bad, policy.NormalizeCapability(c))
		}
	}
	if len(bad) > 0 {
		return rule.Fail("powerful capabilities added: "+strings.Join(bad, ", "), fmt.Sprintf("HostConfig.CapAdd=%v", hc.CapAdd))
	}
	dropsAll := slices.ContainsFunc(hc.CapDrop, func(c string) bool { return policy.NormalizeCapability(c) == policy.AllCapabilities })
	if !dropsAll {
		return rule.Fail("default capabilities are kept: ALL is not dropped", fmt.Sprintf("HostConfig.CapDrop=%v", hc.CapDrop))
	}
	if len(hc.CapAdd) > 0 {
		return rule.Pass("all capabilities dropped; named ones added back", fmt.Sprintf("HostConfig.CapAdd=%v", hc.CapAdd))
	}
	return rule.Pass("all capabilities dropped", "HostConfig.CapDrop=[ALL]")
}

func checkPrivileged(s *Subject) rule.Result {
	if s.HostConfig.Privileged {
		return rule.Fail("container is privileged", "HostConfig.Privileged=true")
	}
	return rule.Pass("not privileged", "HostConfig.Privileged=false")
}

func checkNoSSHD(s *Subject) rule.Result {
	ports := exposedAndPublished(s)
	if slices.Contains(ports, "22/tcp") {
		return rule.Fail("port 22 (ssh) is exposed or published", fmt.Sprintf("ports=%v", ports))
	}
	if !s.ProcessesKnown {
		if s.Running {
			return rule.Skip("process list unavailable")
		}
		return rule.Skip("process list is only known while the container runs")
	}
	for _, p := range s.Processes {
		if isSSHD(p) {
			r := rule.Fail("an sshd process runs in the container", fmt.Sprintf("process %q", p))
			r.Method = s.ProcessMethod
			return r
		}
	}
	r := rule.Pass("no sshd process", fmt.Sprintf("%d processes", len(s.Processes)))
	r.Method = s.ProcessMethod
	return r
}

// isSSHD reports whether a process command line runs an SSH server.
func isSSHD(cmdline string) bool {
	f := strings.Fields(cmdline)
	if len(f) == 0 {
		return false
	}
	exe := f[0]
	if i := strings.LastIndexByte(exe, '/'); i >= 0 {
		exe = exe[i+1:]
	}
	exe = strings.TrimSuffix(exe, ":")
	return exe == "sshd" || exe == "dropbear" || strings.HasPrefix(exe, "sshd-")
}

func exposedAndPublished(s *Subject) []string {
	var ports []string
	if s.Config != nil {
		for p := range s.Config.ExposedPorts {
			ports = append(ports, p.String())
		}
	}
	if s.Image != nil {
		ports = append(ports, s.Image.ExposedPorts...)
	}
	for p := range s.HostConfig.PortBindings {
		ports = append(ports, p.String())
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}

func checkPrivilegedPorts(s *Subject) rule.Result {
	var bad []string
	for p, bs := range s.HostConfig.PortBindings {
		for _, b := range bs {
			n, err := strconv.Atoi(strings.Split(b.HostPort, "-")[0])
			if err == nil && n > 0 && n < 1024 {
				bad = append(bad, fmt.Sprintf("%s->%s", b.HostPort, p))
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("privileged host port published", "PortBindings: "+strings.Join(bad, ", "))
	}
	return rule.Pass("no privileged host port published", "")
}

func checkHostNetwork(s *Subject) rule.Result {
	if s.HostConfig.NetworkMode == "host" {
		return rule.Fail("shares the host's network namespace", "HostConfig.NetworkMode=host")
	}
	return rule.Pass("own network namespace", fmt.Sprintf("HostConfig.NetworkMode=%q", s.HostConfig.NetworkMode))
}

func checkMemory(s *Subject) rule.Result {
	if s.HostConfig.Memory <= 0 {
		return rule.Fail("no memory limit", "HostConfig.Memory=0")
	}
	return rule.Pass("memory limited", fmt.Sprintf("HostConfig.Memory=%d", s.HostConfig.Memory))
}

func checkCPUShares(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.CPUShares == 0 || hc.CPUShares == 1024 {
		if hc.NanoCPUs > 0 || hc.CPUQuota > 0 {
			return rule.Pass("CPU limited by quota", fmt.Sprintf("NanoCpus=%d CpuQuota=%d", hc.NanoCPUs, hc.CPUQuota))
		}
		return rule.Fail("CPU shares not set", fmt.Sprintf("HostConfig.CpuShares=%d", hc.CPUShares))
	}
	return rule.Pass("CPU shares set", fmt.Sprintf("HostConfig.CpuShares=%d", hc.CPUShares))
}

func checkReadOnly(s *Subject) rule.Result {
	if !s.HostConfig.ReadonlyRootfs {
		return rule.Fail("root filesystem is writable", "HostConfig.ReadonlyRootfs=false")
	}
	return rule.Pass("root filesystem is read-only", "HostConfig.ReadonlyRootfs=true")
}

func checkPortBindInterface(s *Subject) rule.Result {
	hc := s.HostConfig
	if hc.PublishAllPorts {
		return rule.Fail("all exposed ports are published on every interface", "HostConfig.PublishAllPorts=true")
	}
	var bad []string
	for p, bs := range hc.PortBindings {
		for _, b := range bs {
			if !b.HostIP.IsValid() || b.HostIP.IsUnspecified() {
				bad = append(bad, fmt.Sprintf("%s->%s", b.HostPort, p))
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("published port listens on every host address", "PortBindings without HostIp: "+strings.Join(bad, ", "))
	}
	return rule.Pass("published ports are bound to specific addresses", "")
}

func checkRestart(s *Subject) rule.Result {
	rp := s.HostConfig.RestartPolicy
	detail := fmt.Sprintf("RestartPolicy=%s:%d", rp.Name, rp.MaximumRetryCount)
	switch rp.Name {
	case "", container.RestartPolicyDisabled:
		return rule.Pass("never restarted", detail)
	case container.RestartPolicyOnFailure:
		if rp.MaximumRetryCount >= 1 && rp.MaximumRetryCount <= MaxRestarts {
			return rule.Pass("restarts on failure a bounded number of times", detail)
		}
		return rule.Fail(fmt.Sprintf("on-failure without a bound of at most %d retries", MaxRestarts), detail)
	}
	return rule.Fail("restarts forever", detail)
}

func checkNamespace(field string, get func(*container.HostConfig) string) check {
	return func(s *Subject) rule.Result {
		v := get(s.HostConfig)
		if v == "host" {
			return rule.Fail("shares the host's namespace", fmt.Sprintf("HostConfig.%s=host", field))
		}
		return rule.Pass("own namespace", fmt.Sprintf("HostConfig.%s=%q", field, v))
	}
}

// checkUserns fails --userns=host; otherwise a daemon with userns-remap
// runs the container in its remapped namespace, and the finding says so.
func checkUserns(s *Subject) rule.Result {
	r := checkNamespace("UsernsMode", func(hc *container.HostConfig) string { return string(hc.UsernsMode) })(s)
	if r.Status == rule.StatusPass && s.HostConfig.UsernsMode == "" && s.Host.UsernsRemap {
		r = rule.Pass("remapped by the daemon's userns-remap", "HostConfig.UsernsMode is empty; daemon userns-remap is on")
		r.Method = MethodDaemonDefault
	}
	return r
}

func checkDevices(s *Subject) rule.Result {
	hc := s.HostConfig
	var devs []string
	for _, d := range hc.Devices {
		devs = append(devs, fmt.Sprintf("%s:%s:%s", d.PathOnHost, d.PathInContainer, d.CgroupPermissions))
	}
	if len(devs) > 0 {
		return rule.Fail("host devices exposed", "HostConfig.Devices="+strings.Join(devs, ","))
	}
	if len(hc.DeviceCgroupRules) > 0 {
		return rule.Fail("device cgroup rules widen device access", fmt.Sprintf("HostConfig.DeviceCgroupRules=%v", hc.DeviceCgroupRules))
	}
	if len(hc.DeviceRequests) > 0 {
		return rule.Fail("device requests expose host devices", fmt.Sprintf("HostConfig.DeviceRequests: %d", len(hc.DeviceRequests)))
	}
	return rule.Pass("no host devices", "")
}

func checkPropagation(s *Subject) rule.Result {
	var bad []string
	for _, m := range s.Mounts {
		if m.Propagation == mount.PropagationShared || m.Propagation == mount.PropagationRShared {
			bad = append(bad, fmt.Sprintf("%s:%s:%s", m.Source, m.Destination, m.Propagation))
		}
	}
	if len(bad) > 0 {
		return rule.Fail("shared mount propagation", "Mounts: "+strings.Join(bad, ", "))
	}
	return rule.Pass("no shared mount propagation", "")
}

// securityOptKey is the key of a --security-opt ("k=v", legacy "k:v", or
// a bare "no-new-privileges").
func securityOptKey(o string) string {
	k, _, ok := strings.Cut(o, "=")
	if !ok {
		k, _, _ = strings.Cut(o, ":")
	}
	return k
}

// SecurityOption returns the value of a --security-opt key (both "k=v" and
// the legacy "k:v" forms) and whether it was present. When the key is given
// more than once the last one wins, as dockerd applies them in order.
func SecurityOption(hc *container.HostConfig, key string) (string, bool) {
	for i := len(hc.SecurityOpt) - 1; i >= 0; i-- {
		o := hc.SecurityOpt[i]
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, ok = strings.Cut(o, ":")
		}
		if k != key {
			continue
		}
		if !ok {
			return "", true
		}
		return v, true
	}
	return "", false
}

// SELinuxLabel is what a container's label security options ask of
// SELinux, read from all of them (--security-opt label=type:svirt_t
// --security-opt label=level:s0:c1 ...).
type SELinuxLabel struct {
	// Disable is label=disable: the container runs unconfined.
	Disable bool
	// User, Role, Type and Level are label=user:..., role:..., type:...
	// and level:....
	User, Role, Type, Level string
	// Other lists the options dockerd knows that have no SELinux context
	// field (label=nested, label=filetype:...), for callers that must
	// map every option.
	Other []string
}

// ParseSELinuxLabel reads every label option of hc ("label=..." or the
// legacy "label:..."). It reports whether there was any, and an error
// naming an option dockerd would not know.
func ParseSELinuxLabel(hc *container.HostConfig) (SELinuxLabel, bool, error) {
	var l SELinuxLabel
	found := false
	for _, o := range hc.SecurityOpt {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, _ = strings.Cut(o, ":")
		}
		if k != "label" {
			continue
		}
		found = true
		if v == "disable" {
			l.Disable = true
			continue
		}
		lk, lv, _ := strings.Cut(v, ":")
		switch lk {
		case "user":
			l.User = lv
		case "role":
			l.Role = lv
		case "type":
			l.Type = lv
		case "level":
			l.Level = lv
		case "nested", "filetype":
			l.Other = append(l.Other, o)
		default:
			return l, true, fmt.Errorf("unknown SELinux label option %q (want disable, user:, role:, type:, level:, nested or filetype:)", o)
		}
	}
	return l, found, nil
}

// checkSeccomp judges the profile dockerd applies: none for a privileged
// container, the container's own seccomp option, else the daemon's default
// (HostFacts.SeccompProfile).
func checkSeccomp(s *Subject) rule.Result {
	if s.HostConfig.Privileged {
		return rule.Fail("privileged: seccomp is not applied", "HostConfig.Privileged=true")
	}
	v, ok := SecurityOption(s.HostConfig, "seccomp")
	if ok && v == "unconfined" {
		return rule.Fail("seccomp disabled", "SecurityOpt seccomp=unconfined")
	}
	if ok {
		return rule.Pass("custom seccomp profile", "SecurityOpt seccomp=<profile>")
	}
	var r rule.Result
	switch p := s.Host.SeccompProfile; p {
	case "":
		return rule.Pass("default seccomp profile", "")
	case "unconfined":
		r = rule.Fail("seccomp disabled by the daemon's default", "daemon seccomp-profile=unconfined; the container sets no seccomp option")
	case "default", "builtin":
		r = rule.Pass("the daemon's default seccomp profile", "daemon seccomp-profile="+p)
	default:
		r = rule.Pass("the daemon's custom seccomp profile", "daemon seccomp-profile="+p)
	}
	r.Method = MethodDaemonDefault
	return r
}

func checkAppArmor(s *Subject) rule.Result {
	if !s.Host.Known {
		return rule.Skip("host facts unknown: cannot tell whether the host has AppArmor")
	}
	if !s.Host.AppArmor {
		return rule.Skip("host has no AppArmor")
	}
	v, _ := SecurityOption(s.HostConfig, "apparmor")
	if v == "unconfined" || s.AppArmorProfile == "unconfined" || s.HostConfig.Privileged {
		return rule.Fail("AppArmor disabled", fmt.Sprintf("AppArmorProfile=%q", firstNonEmpty(s.AppArmorProfile, v, "unconfined")))
	}
	return rule.Pass("AppArmor profile applied", fmt.Sprintf("AppArmorProfile=%q", firstNonEmpty(s.AppArmorProfile, v, "docker-default")))
}

func checkSELinux(s *Subject) rule.Result {
	if !s.Host.Known {
		return rule.Skip("host facts unknown: cannot tell whether the host has SELinux")
	}
	if !s.Host.SELinux {
		return rule.Skip("host has no SELinux")
	}
	if s.HostConfig.Privileged {
		return rule.Fail("SELinux labeling disabled", "HostConfig.Privileged=true")
	}
	// Every label option counts: label=type:x label=disable is disabled.
	l, _, err := ParseSELinuxLabel(s.HostConfig)
	if err != nil {
		return rule.Fail("SELinux label options dockerd would not apply", err.Error())
	}
	if l.Disable {
		return rule.Fail("SELinux labeling disabled", "SecurityOpt label=disable")
	}
	return rule.Pass("SELinux labels applied", "type "+firstNonEmpty(l.Type, "container_t"))
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func checkCgroupParent(s *Subject) rule.Result {
	if p := s.HostConfig.CgroupParent; p != "" {
		return rule.Warn("custom cgroup parent: confirm it is intended", fmt.Sprintf("HostConfig.CgroupParent=%q", p))
	}
	return rule.Pass("daemon's default cgroup parent", "HostConfig.CgroupParent is empty")
}

// checkNoNewPrivileges judges what dockerd applies: the daemon's
// no-new-privileges default, replaced by the container's own option when it
// has one (the last one; dockerd reads its value with strconv.ParseBool and
// refuses the container when it is not a boolean).
func checkNoNewPrivileges(s *Subject) rule.Result {
	v, ok := SecurityOption(s.HostConfig, "no-new-privileges")
	if ok {
		on := true
		if v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return rule.Fail("no-new-privileges value dockerd refuses", fmt.Sprintf("SecurityOpt no-new-privileges=%s", v))
			}
			on = b
		}
		if on {
			return rule.Pass("no-new-privileges set", "SecurityOpt no-new-privileges="+firstNonEmpty(v, "true"))
		}
		detail := fmt.Sprintf("SecurityOpt no-new-privileges=%s", v)
		if s.Host.NoNewPrivileges {
			detail += " overrides the daemon's no-new-privileges=true"
		}
		return rule.Fail("no-new-privileges turned off", detail)
	}
	if s.Host.NoNewPrivileges {
		r := rule.Pass("no-new-privileges set by the daemon's default", "daemon no-new-privileges=true; the container sets none")
		r.Method = MethodDaemonDefault
		return r
	}
	return rule.Fail("no-new-privileges not set", fmt.Sprintf("HostConfig.SecurityOpt=%v", s.HostConfig.SecurityOpt))
}

func checkHealthcheck(s *Subject) rule.Result {
	if s.Config != nil && s.Config.Healthcheck != nil && len(s.Config.Healthcheck.Test) > 0 {
		if s.Config.Healthcheck.Test[0] == "NONE" {
			return rule.Warn("health check disabled", "Config.Healthcheck.Test=[NONE]")
		}
		return rule.Pass("health check configured", fmt.Sprintf("Config.Healthcheck.Test=%v", s.Config.Healthcheck.Test))
	}
	if s.Image == nil {
		return rule.Skip("image not known: its HEALTHCHECK decides")
	}
	if s.Image.Healthcheck {
		return rule.Pass("image defines a HEALTHCHECK", "")
	}
	return rule.Warn("no health check", "neither the image nor the container defines one")
}

func checkPidsLimit(s *Subject) rule.Result {
	p := s.HostConfig.PidsLimit
	if p == nil || *p <= 0 {
		v := "unset"
		if p != nil {
			v = strconv.FormatInt(*p, 10)
		}
		return rule.Fail("no PIDs limit", "HostConfig.PidsLimit="+v)
	}
	return rule.Pass("PIDs limited", fmt.Sprintf("HostConfig.PidsLimit=%d", *p))
}

// isPinned reports whether an image reference names content, not a tag.
func isPinned(ref string) bool {
	if strings.HasPrefix(ref, "sha256:") || strings.Contains(ref, "@sha256:") {
		return true
	}
	if len(ref) == 64 {
		_, err := strconv.ParseUint(ref[:16], 16, 64)
		return err == nil && strings.Trim(ref, "0123456789abcdef") == ""
	}
	return false
}

func checkImagePinned(s *Subject) rule.Result {
	ref := ""
	if s.Config != nil {
		ref = s.Config.Image
	}
	if isPinned(ref) {
		return rule.Pass("image pinned", fmt.Sprintf("Config.Image=%q", ref))
	}
	if s.Config != nil && s.Config.Labels[LabelImageID] != "" && s.Config.Labels[LabelImageID] == s.ImageID {
		return rule.Pass("image resolved once and launched by ID", fmt.Sprintf("%s=%s", LabelImageID, s.ImageID))
	}
	return rule.Fail("image referenced by a movable tag", fmt.Sprintf("Config.Image=%q", ref))
}

// remoteLogDrivers ship logs off the host (or to a rotating journal).
var remoteLogDrivers = []string{"fluentd", "gelf", "awslogs", "splunk", "gcplogs", "logentries", "etwlogs", "journald", "loki"}

// checkLogRotation judges the log config dockerd applies: the
// container's, or the daemon's default (HostFacts.LogConfig) when it sets no
// driver; a container on the daemon's driver inherits the daemon's options
// it does not set itself, as dockerd merges them at create time.
func checkLogRotation(s *Subject) rule.Result {
	lc := s.HostConfig.LogConfig
	method := ""
	if d := s.Host.LogConfig; d != nil && d.Type != "" && (lc.Type == "" || lc.Type == d.Type) {
		merged := container.LogConfig{Type: d.Type, Config: map[string]string{}}
		for k, v := range lc.Config {
			merged.Config[k] = v
		}
		inherited := lc.Type == ""
		for k, v := range d.Config {
			if _, set := merged.Config[k]; !set {
				merged.Config[k] = v
				inherited = true
			}
		}
		if inherited {
			lc, method = merged, MethodDaemonDefault
		}
	}
	r := judgeLogConfig(lc)
	r.Method = method
	return r
}

func judgeLogConfig(lc container.LogConfig) rule.Result {
	detail := fmt.Sprintf("LogConfig.Type=%q Config=%v", lc.Type, lc.Config)
	switch lc.Type {
	case "local":
		return rule.Pass("local driver rotates logs", detail)
	case "json-file":
		if lc.Config["max-size"] != "" && lc.Config["max-size"] != "-1" {
			return rule.Pass("json-file with rotation", detail)
		}
		return rule.Fail("json-file logs grow without bound (no max-size)", detail)
	case "syslog":
		if lc.Config["syslog-address"] != "" {
			return rule.Pass("logs shipped to a remote syslog", detail)
		}
		return rule.Warn("syslog without syslog-address logs to the local host only", detail)
	case "none":
		return rule.Warn("logging disabled", detail)
	case "":
		return rule.Skip("log driver is the daemon's default, which is not known here")
	}
	if slices.Contains(remoteLogDrivers, lc.Type) {
		return rule.Pass("logs shipped off the host", detail)
	}
	return rule.Warn("unknown log driver: confirm it rotates or ships logs", detail)
}

func checkNetworkIsolation(s *Subject) rule.Result {
	mode := string(s.HostConfig.NetworkMode)
	switch {
	case mode == "none":
		return rule.Pass("no network", "HostConfig.NetworkMode=none")
	case mode == "host":
		return rule.Fail("host network: no isolation at all", "HostConfig.NetworkMode=host")
	case strings.HasPrefix(mode, "container:"):
		return rule.Pass("shares another container's network (judged on that container)", "HostConfig.NetworkMode="+mode)
	}
	names := make([]string, 0, len(s.Networks))
	for n := range s.Networks {
		names = append(names, n)
	}
	if len(names) == 0 {
		names = []string{mode}
		if mode == "" || mode == "default" {
			names = []string{"bridge"}
		}
	}
	slices.Sort(names)
	var unknown []string
	for _, n := range names {
		f := s.Networks[n]
		if n == "bridge" && (f == nil || f.ICC) {
			return rule.Fail("on the default bridge with inter-container traffic allowed: use a user-defined network with ICC disabled", "network bridge")
		}
		if f == nil {
			unknown = append(unknown, n)
			continue
		}
		if f.ICC {
			return rule.Fail("inter-container traffic allowed on the container's network", fmt.Sprintf("network %s: %s not false", n, ICCOption))
		}
	}
	if len(unknown) > 0 {
		return rule.Skip("network not inspected: " + strings.Join(unknown, ", "))
	}
	return rule.Pass("inter-container traffic disabled", "networks "+strings.Join(names, ", "))
}

func checkTmpfsFlags(s *Subject) rule.Result {
	var bad []string
	for _, m := range s.Mounts {
		if m.Type != mount.TypeTmpfs || !m.RW {
			continue
		}
		for _, o := range strings.Split(m.Options, ",") {
			switch strings.TrimSpace(o) {
			case "exec", "suid", "dev":
				bad = append(bad, fmt.Sprintf("%s:%s", m.Destination, o))
			}
		}
	}
	if len(bad) > 0 {
		return rule.Fail("writable tmpfs allows exec, suid or devices", "Tmpfs: "+strings.Join(bad, ", "))
	}
	return rule.Pass("writable tmpfs mounts are noexec,nosuid,nodev", "")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
