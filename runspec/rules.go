package runspec

import (
	"fmt"
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// OCI-only rule IDs: properties a Docker HostConfig does not expose (dockerd
// always sets them) but a hand-written or generated config.json can get
// wrong.
const (
	// SpecMaskedPaths: Docker's masked and read-only /proc and /sys paths
	// are kept, and sysfs and cgroupfs are mounted read-only.
	SpecMaskedPaths rule.ID = "spec.masked-paths"
	// SpecMountNamespace: the container has its own mount namespace.
	SpecMountNamespace rule.ID = "spec.mount-namespace"
	// SpecRlimits: the open-files limit is bounded and core dumps are off.
	SpecRlimits rule.ID = "spec.rlimits"
)

// Annotations Apply writes and Check reads.
const (
	// AnnotationCapabilities lists, comma-separated, the capabilities named
	// with WithAddedCapabilities. Check fails any other capability.
	AnnotationCapabilities = "io.github.safedock.runspec.capabilities"
	// AnnotationWaiverPrefix + rule ID holds the reason a rule was waived.
	AnnotationWaiverPrefix = "io.github.safedock.runspec.waive."
)

// entry is one rule: its metadata, how Apply enforces it and how Check
// judges it. apply runs on a spec whose Process (with Capabilities), Root
// and Linux (with Resources) are set; check must cope with anything.
type entry struct {
	rule  rule.Rule
	apply func(s *settings, spec *specs.Spec, waived bool) error
	check func(spec *specs.Spec, h hostFacts) rule.Result
}

// hostFacts are what some checks need to know about the host that runs the
// spec: whether it has AppArmor and SELinux.
type hostFacts struct {
	appArmor bool
	seLinux  bool
}

var ociRules = []rule.Rule{
	{
		ID: SpecMaskedPaths, Title: "Sensitive /proc and /sys paths are masked or read-only", Severity: rule.SeverityHigh,
		Rationale:   "Docker masks /proc/kcore, /proc/keys, /sys/firmware and others and makes /proc/sys, /proc/sysrq-trigger read-only; a spec without them (or with /sys writable) exposes kernel memory, keys and host-wide knobs — most of what --privileged means.",
		Remediation: "Keep Docker's linux.maskedPaths and linux.readonlyPaths (runspec.Apply adds them) and mount sysfs and cgroupfs with ro.",
	},
	{
		ID: SpecMountNamespace, Title: "The container has its own mount namespace", Severity: rule.SeverityCritical,
		Rationale:   "Without a mount namespace the container's mounts (and its pivot_root) happen on the host.",
		Remediation: `Add {"type":"mount"} to linux.namespaces.`,
	},
	{
		ID: SpecRlimits, Title: "Resource limits bound open files and disable core dumps", Severity: rule.SeverityLow, CIS: []string{"2.8"},
		Rationale:   "Without process.rlimits the container inherits the runtime's limits (often 1048576 open files, unlimited core dumps that may hold secrets).",
		Remediation: `Set process.rlimits: RLIMIT_NOFILE with a finite hard limit, RLIMIT_CORE 0 (runspec.WithRlimit).`,
	},
}

// table is runspec's rule table, in the order Apply runs it (capabilities
// before seccomp, whose default profile depends on the bounding set; the
// user namespace before the user).
var table = buildTable()

// catalog is the metadata of every rule runspec may report: the shared
// container rules and the OCI-only ones.
var catalog = append(rule.ContainerRules(), ociRules...)

func buildTable() []entry {
	meta := func(id rule.ID) rule.Rule {
		r, ok := catalog.Lookup(id)
		if !ok {
			panic("runspec: rule " + string(id) + " missing from the catalog") // programming error, caught by tests
		}
		return r
	}
	return []entry{
		{meta(SpecMountNamespace), applyNamespace("mount", SpecMountNamespace), checkNamespace("mount")},
		{meta(rule.ContainerHostNetwork), applyNamespace("network", rule.ContainerHostNetwork), checkNamespace("network")},
		{meta(rule.ContainerHostPID), applyNamespace("pid", rule.ContainerHostPID), checkNamespace("pid")},
		{meta(rule.ContainerHostIPC), applyNamespace("ipc", rule.ContainerHostIPC), checkNamespace("ipc")},
		{meta(rule.ContainerHostUTS), applyNamespace("uts", rule.ContainerHostUTS), checkNamespace("uts")},
		{meta(rule.ContainerHostUserns), applyUserns, checkUserns},
		{meta(rule.ContainerNonRootUser), applyUser, checkUser},
		{meta(rule.ContainerCapabilities), applyCaps, checkCaps},
		{meta(rule.ContainerNoNewPrivileges), applyNoNewPrivs, checkNoNewPrivs},
		{meta(rule.ContainerSeccomp), applySeccomp, checkSeccomp},
		{meta(rule.ContainerAppArmor), applyAppArmor, checkAppArmor},
		{meta(rule.ContainerSELinux), applySELinux, checkSELinux},
		{meta(rule.ContainerReadOnlyRootfs), applyReadonlyRoot, checkReadonlyRoot},
		{meta(rule.ContainerDockerSocket), applyDockerSocket, checkDockerSocket},
		{meta(rule.ContainerSensitiveMounts), applySensitiveMounts, checkSensitiveMounts},
		{meta(rule.ContainerMountPropagation), applyPropagation, checkPropagation},
		{meta(rule.ContainerWritableTmpfsFlags), applyTmpfs, checkTmpfs},
		{meta(SpecMaskedPaths), applyMaskedPaths, checkMaskedPaths},
		{meta(rule.ContainerHostDevices), applyDevices, checkDevices},
		{meta(rule.ContainerMemoryLimit), applyMemory, checkMemory},
		{meta(rule.ContainerCPUShares), applyCPU, checkCPU},
		{meta(rule.ContainerPidsLimit), applyPids, checkPids},
		{meta(SpecRlimits), applyRlimits, checkRlimits},
		{meta(rule.ContainerNoSSHD), applyNoSSHD, checkNoSSHD},
	}
}

// Rules returns the catalog of the rules runspec applies and checks, in the
// order Apply runs them. Container rules carry the same IDs and metadata as
// rule.ContainerRules; the spec.* rules are OCI-only. Each call returns a
// fresh copy.
func Rules() rule.Catalog {
	c := make(rule.Catalog, 0, len(table))
	for _, e := range table {
		r := e.rule
		r.CIS = slices.Clone(r.CIS)
		c = append(c, r)
	}
	return c
}

func lookup(id rule.ID) (entry, bool) {
	for _, e := range table {
		if e.rule.ID == id {
			return e, true
		}
	}
	return entry{}, false
}

// ---- namespaces ----

func findNS(spec *specs.Spec, typ specs.LinuxNamespaceType) (specs.LinuxNamespace, bool) {
	if spec == nil || spec.Linux == nil {
		return specs.LinuxNamespace{}, false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == typ {
			return ns, true
		}
	}
	return specs.LinuxNamespace{}, false
}

// hostNSPath reports whether p names a namespace of the host (pid 1) or of
// whoever runs the runtime.
func hostNSPath(p string) bool {
	c := path.Clean(p)
	for _, pre := range []string{"/proc/1/ns/", "/proc/self/ns/", "/proc/thread-self/ns/"} {
		if strings.HasPrefix(c+"/", pre) || strings.HasPrefix(c, pre) {
			return true
		}
	}
	return false
}

func applyNamespace(typ specs.LinuxNamespaceType, id rule.ID) func(*settings, *specs.Spec, bool) error {
	return func(_ *settings, spec *specs.Spec, waived bool) error {
		if waived {
			return nil
		}
		ns, ok := findNS(spec, typ)
		if !ok {
			spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: typ})
			return nil
		}
		if ns.Path != "" && hostNSPath(ns.Path) {
			return violation(id, fmt.Sprintf("the %s namespace joins the host's", typ), "linux.namespaces "+string(typ)+" path "+ns.Path)
		}
		return nil
	}
}

func checkNamespace(typ specs.LinuxNamespaceType) func(*specs.Spec, hostFacts) rule.Result {
	return func(spec *specs.Spec, _ hostFacts) rule.Result {
		ns, ok := findNS(spec, typ)
		switch {
		case !ok:
			return rule.Fail(fmt.Sprintf("no %s namespace: the container shares the host's", typ), "linux.namespaces has no "+string(typ))
		case ns.Path == "":
			return rule.Pass(fmt.Sprintf("own %s namespace", typ), "")
		case hostNSPath(ns.Path):
			return rule.Fail(fmt.Sprintf("the %s namespace joins the host's", typ), "linux.namespaces "+string(typ)+" path "+ns.Path)
		default:
			return rule.Warn(fmt.Sprintf("the %s namespace joins an existing one; confirm it is not the host's", typ), "linux.namespaces "+string(typ)+" path "+ns.Path)
		}
	}
}

// ---- user namespace and user ----

func applyUserns(s *settings, spec *specs.Spec, waived bool) error {
	ns, ok := findNS(spec, "user")
	if ok && ns.Path != "" && hostNSPath(ns.Path) && !waived {
		return violation(rule.ContainerHostUserns, "the user namespace joins the host's", "path "+ns.Path)
	}
	if s.uidMaps == nil {
		return nil
	}
	if !ok {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: "user"})
	}
	spec.Linux.UIDMappings = slices.Clone(s.uidMaps)
	spec.Linux.GIDMappings = slices.Clone(s.gidMaps)
	return nil
}

func checkUserns(spec *specs.Spec, _ hostFacts) rule.Result {
	ns, ok := findNS(spec, "user")
	switch {
	case !ok:
		return rule.Warn("no user namespace: uid 0 in the container is uid 0 on the host", "linux.namespaces has no user (as with a Docker daemon without userns-remap)")
	case ns.Path != "" && hostNSPath(ns.Path):
		return rule.Fail("the user namespace joins the host's", "linux.namespaces user path "+ns.Path)
	case ns.Path != "":
		return rule.Warn("the user namespace joins an existing one; confirm it is not the host's", "linux.namespaces user path "+ns.Path)
	case len(spec.Linux.UIDMappings) == 0 || len(spec.Linux.GIDMappings) == 0:
		return rule.Fail("user namespace without uid/gid mappings", "linux.uidMappings/gidMappings empty")
	}
	for _, m := range append(slices.Clone(spec.Linux.UIDMappings), spec.Linux.GIDMappings...) {
		if m.HostID == 0 {
			return rule.Fail("the user namespace maps an id to host root", fmt.Sprintf("mapping %d->%d size %d", m.ContainerID, m.HostID, m.Size))
		}
	}
	return rule.Pass("own user namespace with mappings", fmt.Sprintf("%d uid, %d gid mappings", len(spec.Linux.UIDMappings), len(spec.Linux.GIDMappings)))
}

// mapsTo returns the host id that container id maps to, if any.
func mapsTo(ms []specs.LinuxIDMapping, id uint32) (uint32, bool) {
	for _, m := range ms {
		if id >= m.ContainerID && uint64(id) < uint64(m.ContainerID)+uint64(m.Size) {
			return m.HostID + (id - m.ContainerID), true
		}
	}
	return 0, false
}

// rootRemapped reports whether the spec has its own user namespace that maps
// container uid 0 to a non-root host uid.
func rootRemapped(spec *specs.Spec) (uint32, bool) {
	ns, ok := findNS(spec, "user")
	if !ok || ns.Path != "" {
		return 0, false
	}
	h, ok := mapsTo(spec.Linux.UIDMappings, 0)
	return h, ok && h != 0
}

func applyUser(s *settings, spec *specs.Spec, waived bool) error {
	u := &spec.Process.User
	if s.user != nil {
		if s.user.UID == 0 && !waived {
			return violation(rule.ContainerNonRootUser, "uid 0 requested", fmt.Sprintf("WithUser(\"%d:%d\")", s.user.UID, s.user.GID))
		}
		u.UID, u.GID = s.user.UID, s.user.GID
	} else if u.UID == 0 && !waived {
		if _, remapped := rootRemapped(spec); !remapped {
			u.UID, u.GID = policy.DefaultUID, policy.DefaultGID
		} else if _, ok := mapsTo(spec.Linux.UIDMappings, policy.DefaultUID); ok {
			u.UID, u.GID = policy.DefaultUID, policy.DefaultGID
		}
	}
	if _, userns := findNS(spec, "user"); userns && len(spec.Linux.UIDMappings) > 0 {
		if _, ok := mapsTo(spec.Linux.UIDMappings, u.UID); !ok {
			return fmt.Errorf("user %d is not mapped by linux.uidMappings: choose a mapped uid with WithUser or extend the mappings", u.UID)
		}
	}
	if !waived {
		u.AdditionalGids = slices.DeleteFunc(u.AdditionalGids, func(g uint32) bool { return g == 0 })
		if len(u.AdditionalGids) == 0 {
			u.AdditionalGids = nil
		}
	}
	return nil
}

func checkUser(spec *specs.Spec, _ hostFacts) rule.Result {
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	u := spec.Process.User
	if u.UID != 0 {
		return rule.Pass("runs as a non-root user", fmt.Sprintf("process.user %d:%d", u.UID, u.GID))
	}
	if h, ok := rootRemapped(spec); ok {
		return rule.Pass("uid 0 only inside a user namespace", fmt.Sprintf("process.user 0 maps to host uid %d", h))
	}
	return rule.Fail("runs as root", fmt.Sprintf("process.user %d:%d", u.UID, u.GID))
}

// ---- capabilities ----

// allCapsName is ALL in an OCI spec's spelling, as WithAddedCapabilities
// records it until Apply expands it.
const allCapsName = "CAP_" + policy.AllCapabilities

// capName normalizes "net_bind_service" or "CAP_NET_BIND_SERVICE" to the
// OCI spelling ("CAP_NET_BIND_SERVICE") and checks that the kernel knows
// it; ALL is returned as policy.AllCapabilities.
func capName(c string) (string, error) {
	n, err := policy.ParseCapability(c)
	if err != nil {
		return "", err
	}
	if n == policy.AllCapabilities {
		return n, nil
	}
	return "CAP_" + n, nil
}

// ociCaps returns every Linux capability in the OCI spelling.
func ociCaps() []string {
	var out []string
	for _, c := range policy.Capabilities() {
		out = append(out, "CAP_"+c)
	}
	return out
}

func allCaps(spec *specs.Spec) []string {
	if spec == nil || spec.Process == nil || spec.Process.Capabilities == nil {
		return nil
	}
	c := spec.Process.Capabilities
	var out []string
	for _, set := range [][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient} {
		for _, name := range set {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func namedCaps(spec *specs.Spec) []string {
	v := strings.TrimSpace(spec.Annotations[AnnotationCapabilities])
	if v == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

func applyCaps(s *settings, spec *specs.Spec, waived bool) error {
	named := slices.Clone(s.addCaps)
	if !waived {
		for _, c := range named {
			if policy.IsDangerousCapability(c) {
				if c == allCapsName {
					c = policy.AllCapabilities
				}
				return violation(rule.ContainerCapabilities, "capability "+c+" amounts to root on the host", "WithAddedCapabilities("+c+")")
			}
		}
	}
	if i := slices.Index(named, allCapsName); i >= 0 {
		named = slices.Delete(named, i, i+1)
		for _, c := range ociCaps() {
			if !slices.Contains(named, c) {
				named = append(named, c)
			}
		}
	}
	caps := spec.Process.Capabilities
	if waived {
		// Keep what the spec grants and add the named ones.
		for _, c := range named {
			for _, set := range []*[]string{&caps.Bounding, &caps.Effective, &caps.Permitted} {
				if !slices.Contains(*set, c) {
					*set = append(*set, c)
				}
			}
		}
	} else {
		caps.Bounding, caps.Effective, caps.Permitted = slices.Clone(named), slices.Clone(named), slices.Clone(named)
		caps.Inheritable, caps.Ambient = slices.Clone(s.ambient), slices.Clone(s.ambient)
	}
	if len(named) > 0 {
		spec.Annotations[AnnotationCapabilities] = strings.Join(named, ",")
	} else {
		delete(spec.Annotations, AnnotationCapabilities)
	}
	return nil
}

func checkCaps(spec *specs.Spec, _ hostFacts) rule.Result {
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	have := allCaps(spec)
	named := namedCaps(spec)
	var unnamed, danger []string
	for _, c := range have {
		if policy.IsDangerousCapability(c) {
			danger = append(danger, c)
		}
		if !slices.Contains(named, c) {
			unnamed = append(unnamed, c)
		}
	}
	switch {
	case len(danger) > 0:
		return rule.Fail("capabilities that amount to root are granted", "process.capabilities: "+strings.Join(danger, ","))
	case len(unnamed) > 0:
		return rule.Fail("capabilities not dropped", "process.capabilities grant "+strings.Join(unnamed, ",")+" (not named in "+AnnotationCapabilities+")")
	case len(have) == 0:
		return rule.Pass("all capabilities dropped", "")
	}
	return rule.Pass("only named capabilities granted", strings.Join(have, ","))
}

// ---- no new privileges, read-only root ----

func applyNoNewPrivs(_ *settings, spec *specs.Spec, waived bool) error {
	if !waived {
		spec.Process.NoNewPrivileges = true
	}
	return nil
}

func checkNoNewPrivs(spec *specs.Spec, _ hostFacts) rule.Result {
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	if !spec.Process.NoNewPrivileges {
		return rule.Fail("processes can gain privileges through setuid binaries", "process.noNewPrivileges is false")
	}
	return rule.Pass("no_new_privs is set", "process.noNewPrivileges true")
}

func applyReadonlyRoot(_ *settings, spec *specs.Spec, waived bool) error {
	if !waived {
		spec.Root.Readonly = true
	}
	return nil
}

func checkReadonlyRoot(spec *specs.Spec, _ hostFacts) rule.Result {
	if spec == nil || spec.Root == nil {
		return rule.Fail("no root section", "root is missing")
	}
	if !spec.Root.Readonly {
		return rule.Fail("the root filesystem is writable", "root.readonly is false")
	}
	return rule.Pass("the root filesystem is read-only", "root.readonly true")
}

// ---- mounts ----

func hasOpt(m specs.Mount, opt string) bool { return slices.Contains(m.Options, opt) }

func isBind(m specs.Mount) bool {
	return m.Type == "bind" || m.Type == "rbind" || hasOpt(m, "bind") || hasOpt(m, "rbind")
}

func readOnly(m specs.Mount) bool { return hasOpt(m, "ro") && !hasOpt(m, "rw") }

// sensitiveSource reports whether a bind source is a sensitive host path
// (policy.SensitivePaths) or lies below one, judged as written with the
// merged-/usr aliases folded (/bin is /usr/bin), as hardening judges a
// remote daemon's binds. Relative sources are relative to the bundle and
// are not host system paths.
func sensitiveSource(src string) bool {
	if !path.IsAbs(src) {
		return false
	}
	return policy.SensitiveDir(policy.FoldAliases(src)) != ""
}

// dockerSocketSource reports whether a mount source is an engine API
// socket or a directory holding one, judged as written
// (policy.EngineSocketAt: Docker's, containerd's, Podman's, CRI-O's,
// BuildKit's, rootless dockerd's).
func dockerSocketSource(src string) bool {
	if !path.IsAbs(src) {
		return false
	}
	_, _, ok := policy.EngineSocketAt(src)
	return ok
}

func mountDesc(m specs.Mount) string {
	return fmt.Sprintf("%s from %s (%s)", m.Destination, m.Source, strings.Join(m.Options, ","))
}

func writableSensitive(spec *specs.Spec) []string {
	var bad []string
	if spec == nil {
		return nil
	}
	for _, m := range spec.Mounts {
		if isBind(m) && sensitiveSource(m.Source) && !readOnly(m) {
			bad = append(bad, mountDesc(m))
		}
	}
	return bad
}

func applySensitiveMounts(_ *settings, spec *specs.Spec, waived bool) error {
	if bad := writableSensitive(spec); len(bad) > 0 && !waived {
		return violation(rule.ContainerSensitiveMounts, "writable bind mount of a sensitive host path", strings.Join(bad, "; "))
	}
	return nil
}

func checkSensitiveMounts(spec *specs.Spec, _ hostFacts) rule.Result {
	if bad := writableSensitive(spec); len(bad) > 0 {
		return rule.Fail("writable bind mount of a sensitive host path", "mounts: "+strings.Join(bad, "; "))
	}
	return rule.Pass("no writable bind mount of a sensitive host path", "")
}

func socketMounts(spec *specs.Spec) []string {
	var bad []string
	if spec == nil {
		return nil
	}
	for _, m := range spec.Mounts {
		if dockerSocketSource(m.Source) && (isBind(m) || path.IsAbs(m.Source)) {
			bad = append(bad, mountDesc(m))
		}
	}
	return bad
}

func applyDockerSocket(_ *settings, spec *specs.Spec, _ bool) error {
	if bad := socketMounts(spec); len(bad) > 0 {
		return violation(rule.ContainerDockerSocket, "the Docker socket (or a directory holding it) is mounted", strings.Join(bad, "; "))
	}
	return nil
}

func checkDockerSocket(spec *specs.Spec, _ hostFacts) rule.Result {
	if bad := socketMounts(spec); len(bad) > 0 {
		return rule.Fail("the Docker socket (or a directory holding it) is mounted", "mounts: "+strings.Join(bad, "; "))
	}
	return rule.Pass("the Docker socket is not mounted", "")
}

func sharedPropagation(spec *specs.Spec) []string {
	var bad []string
	if spec == nil {
		return nil
	}
	if spec.Linux != nil && (spec.Linux.RootfsPropagation == "shared" || spec.Linux.RootfsPropagation == "rshared") {
		bad = append(bad, "linux.rootfsPropagation "+spec.Linux.RootfsPropagation)
	}
	for _, m := range spec.Mounts {
		if hasOpt(m, "shared") || hasOpt(m, "rshared") {
			bad = append(bad, mountDesc(m))
		}
	}
	return bad
}

func applyPropagation(_ *settings, spec *specs.Spec, waived bool) error {
	if bad := sharedPropagation(spec); len(bad) > 0 && !waived {
		return violation(rule.ContainerMountPropagation, "shared mount propagation", strings.Join(bad, "; "))
	}
	return nil
}

func checkPropagation(spec *specs.Spec, _ hostFacts) rule.Result {
	if bad := sharedPropagation(spec); len(bad) > 0 {
		return rule.Fail("shared mount propagation", strings.Join(bad, "; "))
	}
	return rule.Pass("no shared mount propagation", "")
}

// weakTmpfs lists writable tmpfs mounts missing nosuid, nodev or noexec.
// /dev is exempt: it holds the container's device nodes.
func weakTmpfs(spec *specs.Spec) []string {
	var bad []string
	if spec == nil {
		return nil
	}
	for _, m := range spec.Mounts {
		if m.Type != "tmpfs" || readOnly(m) || path.Clean(m.Destination) == "/dev" {
			continue
		}
		var missing []string
		for _, f := range policy.TmpfsFlags() {
			if !hasOpt(m, f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			bad = append(bad, m.Destination+" lacks "+strings.Join(missing, ","))
		}
	}
	return bad
}

func applyTmpfs(s *settings, spec *specs.Spec, waived bool) error {
	for _, t := range s.tmpfs {
		spec.Mounts = slices.DeleteFunc(spec.Mounts, func(m specs.Mount) bool { return path.Clean(m.Destination) == t.Destination })
		spec.Mounts = append(spec.Mounts, t)
	}
	if waived {
		return nil
	}
	for i, m := range spec.Mounts {
		if m.Type != "tmpfs" || readOnly(m) || path.Clean(m.Destination) == "/dev" {
			continue
		}
		for _, f := range policy.TmpfsFlags() {
			if !hasOpt(m, f) {
				spec.Mounts[i].Options = append(spec.Mounts[i].Options, f)
			}
		}
	}
	return nil
}

func checkTmpfs(spec *specs.Spec, _ hostFacts) rule.Result {
	if bad := weakTmpfs(spec); len(bad) > 0 {
		return rule.Fail("writable tmpfs without nosuid, nodev, noexec", strings.Join(bad, "; "))
	}
	return rule.Pass("writable tmpfs mounts are nosuid, nodev, noexec", "")
}

// ---- process ----

func isSSHD(spec *specs.Spec) (string, bool) {
	if spec == nil || spec.Process == nil || len(spec.Process.Args) == 0 {
		return "", false
	}
	b := path.Base(spec.Process.Args[0])
	return spec.Process.Args[0], b == "sshd" || b == "dropbear"
}

func applyNoSSHD(_ *settings, spec *specs.Spec, waived bool) error {
	if a, ok := isSSHD(spec); ok && !waived {
		return violation(rule.ContainerNoSSHD, "the process is an SSH server", "process.args[0] "+a)
	}
	return nil
}

func checkNoSSHD(spec *specs.Spec, _ hostFacts) rule.Result {
	if a, ok := isSSHD(spec); ok {
		return rule.Fail("the process is an SSH server", "process.args[0] "+a)
	}
	return rule.Pass("the process is not an SSH server", "")
}
