package runspec

import (
	"fmt"
	"math"
	"os"
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// ---- seccomp ----

// gatedSyscalls are system calls Docker's default profile allows only to a
// process holding the named capability ("" = never). A filter that allows
// one of them unconditionally, without that capability in the bounding
// set, is looser than Docker's default.
var gatedSyscalls = map[string]string{
	"kexec_load": "CAP_SYS_BOOT", "kexec_file_load": "CAP_SYS_BOOT", "reboot": "CAP_SYS_BOOT",
	"init_module": "CAP_SYS_MODULE", "finit_module": "CAP_SYS_MODULE", "delete_module": "CAP_SYS_MODULE",
	"open_by_handle_at": "CAP_DAC_READ_SEARCH",
	"mount":             "CAP_SYS_ADMIN", "umount2": "CAP_SYS_ADMIN", "pivot_root": "CAP_SYS_ADMIN",
	"swapon": "CAP_SYS_ADMIN", "swapoff": "CAP_SYS_ADMIN", "quotactl": "CAP_SYS_ADMIN",
	"setns": "CAP_SYS_ADMIN", "fsopen": "CAP_SYS_ADMIN", "move_mount": "CAP_SYS_ADMIN",
	"acct": "CAP_SYS_PACCT", "settimeofday": "CAP_SYS_TIME", "clock_settime": "CAP_SYS_TIME",
	"iopl": "CAP_SYS_RAWIO", "ioperm": "CAP_SYS_RAWIO",
	"add_key": "", "request_key": "", "keyctl": "",
}

func blockingAction(a specs.LinuxSeccompAction) bool {
	switch a {
	case specs.ActErrno, specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap:
		return true
	}
	return false
}

// seccompProblem says why a filter is weaker than Docker's default, or "".
func seccompProblem(spec *specs.Spec) (reason, detail string) {
	if spec == nil || spec.Linux == nil || spec.Linux.Seccomp == nil {
		return "no seccomp filter: every system call is allowed", "linux.seccomp is missing"
	}
	sc := spec.Linux.Seccomp
	if !blockingAction(sc.DefaultAction) {
		return "the seccomp filter allows by default", fmt.Sprintf("linux.seccomp.defaultAction %q", sc.DefaultAction)
	}
	var bounding []string
	if spec.Process != nil && spec.Process.Capabilities != nil {
		bounding = spec.Process.Capabilities.Bounding
	}
	var loose []string
	for _, sys := range sc.Syscalls {
		if blockingAction(sys.Action) || len(sys.Args) > 0 {
			continue
		}
		for _, n := range sys.Names {
			capName, gated := gatedSyscalls[n]
			if gated && (capName == "" || !slices.Contains(bounding, capName)) && !slices.Contains(loose, n) {
				loose = append(loose, n)
			}
		}
	}
	if len(loose) > 0 {
		slices.Sort(loose)
		return "the seccomp filter allows system calls Docker's default blocks", "linux.seccomp allows " + strings.Join(loose, ",")
	}
	return "", ""
}

func applySeccomp(_ *settings, spec *specs.Spec, waived bool) error {
	if waived {
		return nil
	}
	if r, _ := seccompProblem(spec); r == "" {
		return nil // a filter at least as strict as Docker's: keep it
	}
	p, err := defaultSeccomp(spec)
	if err != nil {
		return fmt.Errorf("building the default seccomp profile: %w", err)
	}
	spec.Linux.Seccomp = p
	return nil
}

func checkSeccomp(spec *specs.Spec, _ hostFacts) rule.Result {
	if r, d := seccompProblem(spec); r != "" {
		return rule.Fail(r, d)
	}
	sc := spec.Linux.Seccomp
	return rule.Pass("seccomp filter denies by default", fmt.Sprintf("defaultAction %s, %d rules", sc.DefaultAction, len(sc.Syscalls)))
}

// ---- AppArmor and SELinux ----

func detectHost() hostFacts {
	var h hostFacts
	if b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled"); err == nil && strings.TrimSpace(string(b)) == "Y" {
		h.appArmor = true
	}
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil {
		h.seLinux = true
	}
	return h
}

func applyAppArmor(s *settings, spec *specs.Spec, waived bool) error {
	if s.apparmor != "" {
		spec.Process.ApparmorProfile = s.apparmor
	}
	if spec.Process.ApparmorProfile == "unconfined" && !waived {
		return violation(rule.ContainerAppArmor, "unconfined AppArmor profile", "process.apparmorProfile unconfined")
	}
	return nil
}

func checkAppArmor(spec *specs.Spec, h hostFacts) rule.Result {
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	switch p := spec.Process.ApparmorProfile; {
	case p == "unconfined":
		return rule.Fail("AppArmor is disabled for the container", "process.apparmorProfile unconfined")
	case p != "":
		return rule.Pass("AppArmor profile set", "process.apparmorProfile "+p)
	case h.appArmor:
		return rule.Warn("no AppArmor profile although this host has AppArmor", "process.apparmorProfile empty")
	}
	return rule.Skip("this host has no AppArmor; no profile is needed")
}

// unconfinedSELinux reports whether an SELinux label's type is one that
// lifts confinement.
func unconfinedSELinux(label string) bool {
	parts := strings.Split(label, ":")
	return len(parts) >= 3 && (parts[2] == "spc_t" || parts[2] == "unconfined_t")
}

func applySELinux(s *settings, spec *specs.Spec, waived bool) error {
	if s.selinux != "" {
		spec.Process.SelinuxLabel = s.selinux
	}
	if unconfinedSELinux(spec.Process.SelinuxLabel) && !waived {
		return violation(rule.ContainerSELinux, "unconfined SELinux type", "process.selinuxLabel "+spec.Process.SelinuxLabel)
	}
	return nil
}

func checkSELinux(spec *specs.Spec, h hostFacts) rule.Result {
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	switch l := spec.Process.SelinuxLabel; {
	case unconfinedSELinux(l):
		return rule.Fail("SELinux confinement is lifted", "process.selinuxLabel "+l)
	case l != "":
		return rule.Pass("SELinux label set", "process.selinuxLabel "+l)
	case h.seLinux:
		return rule.Warn("no SELinux label although this host has SELinux", "process.selinuxLabel empty")
	}
	return rule.Skip("this host has no SELinux; no label is needed")
}

// ---- masked and read-only paths ----

// Docker's defaults (moby oci/defaults.go). baseMasked and baseReadonly are
// what Docker 20.10 and runc spec already set; newMasked were added later.
var (
	baseMasked = []string{
		"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	}
	newMasked    = []string{"/proc/interrupts", "/sys/devices/virtual/powercap"}
	baseReadonly = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// covered reports whether p or one of its parents is in list.
func covered(list []string, p string) bool {
	for _, l := range list {
		c := path.Clean(l)
		if c == p || (c != "/" && strings.HasPrefix(p, c+"/")) || c == "/" {
			return true
		}
	}
	return false
}

func addPaths(list []string, add ...string) []string {
	for _, p := range add {
		if !slices.Contains(list, p) {
			list = append(list, p)
		}
	}
	return list
}

func kernelFSMount(m specs.Mount) bool {
	return m.Type == "sysfs" || m.Type == "cgroup" || m.Type == "cgroup2" ||
		(isBind(m) && (path.Clean(m.Source) == "/sys" || strings.HasPrefix(path.Clean(m.Source), "/sys/")))
}

func applyMaskedPaths(s *settings, spec *specs.Spec, waived bool) error {
	spec.Linux.MaskedPaths = addPaths(spec.Linux.MaskedPaths, s.masked...)
	spec.Linux.ReadonlyPaths = addPaths(spec.Linux.ReadonlyPaths, s.readOnly...)
	if waived {
		return nil
	}
	spec.Linux.MaskedPaths = addPaths(spec.Linux.MaskedPaths, append(slices.Clone(baseMasked), newMasked...)...)
	spec.Linux.ReadonlyPaths = addPaths(spec.Linux.ReadonlyPaths, baseReadonly...)
	for i, m := range spec.Mounts {
		if kernelFSMount(m) && !readOnly(m) {
			spec.Mounts[i].Options = append(slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "rw" }), "ro")
		}
	}
	return nil
}

func checkMaskedPaths(spec *specs.Spec, _ hostFacts) rule.Result {
	if spec == nil || spec.Linux == nil {
		return rule.Fail("no linux section: nothing in /proc or /sys is masked", "linux is missing")
	}
	var missing, missingNew, writable []string
	for _, p := range baseMasked {
		if !covered(spec.Linux.MaskedPaths, p) {
			missing = append(missing, p)
		}
	}
	for _, p := range baseReadonly {
		if !covered(spec.Linux.ReadonlyPaths, p) && !covered(spec.Linux.MaskedPaths, p) {
			missing = append(missing, p+" (read-only)")
		}
	}
	for _, p := range newMasked {
		if !covered(spec.Linux.MaskedPaths, p) {
			missingNew = append(missingNew, p)
		}
	}
	for _, m := range spec.Mounts {
		if kernelFSMount(m) && !readOnly(m) {
			writable = append(writable, mountDesc(m))
		}
	}
	switch {
	case len(writable) > 0:
		return rule.Fail("sysfs or cgroupfs is mounted writable", strings.Join(writable, "; "))
	case len(missing) > 0:
		return rule.Fail("kernel paths Docker masks are exposed", "linux.maskedPaths/readonlyPaths lack "+strings.Join(missing, ","))
	case len(missingNew) > 0:
		return rule.Warn("paths newer Docker releases mask are exposed", "linux.maskedPaths lacks "+strings.Join(missingNew, ","))
	}
	return rule.Pass("Docker's masked and read-only paths are in place", "")
}

// ---- devices ----

type devKey struct {
	major, minor int64
}

// standardDevices are the character devices every runtime allows (null,
// zero, full, random, urandom, tty, console, ptmx, tun) plus pty slaves.
var standardDevices = map[devKey]bool{
	{1, 3}: true, {1, 5}: true, {1, 7}: true, {1, 8}: true, {1, 9}: true,
	{5, 0}: true, {5, 1}: true, {5, 2}: true, {10, 200}: true,
}

func denyAll(d specs.LinuxDeviceCgroup) bool {
	return !d.Allow && (d.Type == "" || d.Type == "a") && d.Major == nil && d.Minor == nil &&
		(d.Access == "" || (strings.Contains(d.Access, "r") && strings.Contains(d.Access, "w") && strings.Contains(d.Access, "m")))
}

func standardDevice(d specs.LinuxDeviceCgroup) bool {
	if d.Type != "c" || d.Major == nil {
		return false
	}
	if *d.Major == 136 { // /dev/pts/*
		return true
	}
	return d.Minor != nil && standardDevices[devKey{*d.Major, *d.Minor}]
}

func devRule(d specs.LinuxDeviceCgroup) string {
	n := func(p *int64) string {
		if p == nil {
			return "*"
		}
		return fmt.Sprint(*p)
	}
	t := d.Type
	if t == "" {
		t = "a"
	}
	return fmt.Sprintf("%s %s:%s %s", t, n(d.Major), n(d.Minor), d.Access)
}

// deviceProblems lists host devices and device-cgroup rules beyond the
// standard ones.
func deviceProblems(spec *specs.Spec) []string {
	if spec == nil || spec.Linux == nil {
		return []string{"no linux section: no device cgroup"}
	}
	var bad []string
	for _, d := range spec.Linux.Devices {
		bad = append(bad, "linux.devices "+d.Path)
	}
	var rules []specs.LinuxDeviceCgroup
	if spec.Linux.Resources != nil {
		rules = spec.Linux.Resources.Devices
	}
	last := -1
	for i, d := range rules {
		if denyAll(d) {
			last = i
		}
	}
	if last < 0 {
		return append(bad, "the device cgroup does not deny all devices by default")
	}
	for _, d := range rules[last+1:] {
		if d.Allow && !standardDevice(d) {
			bad = append(bad, "device cgroup allows "+devRule(d))
		}
	}
	return bad
}

func applyDevices(_ *settings, spec *specs.Spec, waived bool) error {
	if waived {
		return nil
	}
	res := spec.Linux.Resources
	if len(res.Devices) == 0 || !denyAll(res.Devices[0]) {
		res.Devices = append([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, res.Devices...)
	}
	if bad := deviceProblems(spec); len(bad) > 0 {
		return violation(rule.ContainerHostDevices, "host devices are exposed", strings.Join(bad, "; "))
	}
	return nil
}

func checkDevices(spec *specs.Spec, _ hostFacts) rule.Result {
	if bad := deviceProblems(spec); len(bad) > 0 {
		return rule.Fail("host devices are exposed", strings.Join(bad, "; "))
	}
	return rule.Pass("only the standard devices are allowed", "")
}

// ---- resources ----

func resources(spec *specs.Spec) *specs.LinuxResources {
	if spec == nil || spec.Linux == nil || spec.Linux.Resources == nil {
		return &specs.LinuxResources{}
	}
	return spec.Linux.Resources
}

func applyMemory(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).Memory
	switch {
	case s.memory > 0:
	case waived || (cur != nil && cur.Limit != nil && *cur.Limit > 0):
		return nil
	default:
		s.memory = policy.DefaultMemory
	}
	if res.Memory == nil {
		res.Memory = &specs.LinuxMemory{}
	}
	res.Memory.Limit = &s.memory
	return nil
}

func checkMemory(spec *specs.Spec, _ hostFacts) rule.Result {
	m := resources(spec).Memory
	if m == nil || m.Limit == nil || *m.Limit <= 0 {
		return rule.Fail("no memory limit", "linux.resources.memory.limit unset")
	}
	return rule.Pass("memory is limited", fmt.Sprintf("linux.resources.memory.limit %d", *m.Limit))
}

func applyCPU(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).CPU
	switch {
	case s.cpuShares > 0:
	case waived || (cur != nil && cur.Shares != nil && *cur.Shares != 0 && *cur.Shares != 1024):
		return nil
	default:
		s.cpuShares = uint64(policy.DefaultCPUShares)
	}
	if res.CPU == nil {
		res.CPU = &specs.LinuxCPU{}
	}
	res.CPU.Shares = &s.cpuShares
	return nil
}

func checkCPU(spec *specs.Spec, _ hostFacts) rule.Result {
	c := resources(spec).CPU
	if c == nil || c.Shares == nil || *c.Shares == 0 || *c.Shares == 1024 {
		v := "unset"
		if c != nil && c.Shares != nil {
			v = fmt.Sprint(*c.Shares)
		}
		return rule.Fail("CPU shares are the default", "linux.resources.cpu.shares "+v)
	}
	return rule.Pass("CPU shares set", fmt.Sprintf("linux.resources.cpu.shares %d", *c.Shares))
}

func applyPids(s *settings, spec *specs.Spec, waived bool) error {
	res := spec.Linux.Resources
	cur := resources(spec).Pids
	switch {
	case s.pids > 0:
	case waived || (cur != nil && cur.Limit != nil && *cur.Limit > 0):
		return nil
	default:
		s.pids = policy.DefaultPidsLimit
	}
	res.Pids = &specs.LinuxPids{Limit: &s.pids}
	return nil
}

func checkPids(spec *specs.Spec, _ hostFacts) rule.Result {
	p := resources(spec).Pids
	if p == nil || p.Limit == nil || *p.Limit <= 0 {
		return rule.Fail("no PIDs limit", "linux.resources.pids.limit unset")
	}
	return rule.Pass("the number of processes is limited", fmt.Sprintf("linux.resources.pids.limit %d", *p.Limit))
}

// ---- rlimits ----

func findRlimit(spec *specs.Spec, typ string) (specs.POSIXRlimit, bool) {
	if spec == nil || spec.Process == nil {
		return specs.POSIXRlimit{}, false
	}
	for _, r := range spec.Process.Rlimits {
		if r.Type == typ {
			return r, true
		}
	}
	return specs.POSIXRlimit{}, false
}

func applyRlimits(s *settings, spec *specs.Spec, waived bool) error {
	p := spec.Process
	for _, r := range s.rlimits {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == r.Type })
		p.Rlimits = append(p.Rlimits, r)
	}
	if waived {
		return nil
	}
	if r, ok := findRlimit(spec, "RLIMIT_NOFILE"); !ok || r.Hard == math.MaxUint64 {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == "RLIMIT_NOFILE" })
		p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: policy.DefaultNoFileSoft, Hard: policy.DefaultNoFile})
	}
	if r, ok := findRlimit(spec, "RLIMIT_CORE"); !ok || r.Hard > 0 {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == "RLIMIT_CORE" })
		p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: 0, Hard: 0})
	}
	return nil
}

func checkRlimits(spec *specs.Spec, _ hostFacts) rule.Result {
	nofile, ok := findRlimit(spec, "RLIMIT_NOFILE")
	switch {
	case ok && nofile.Hard == math.MaxUint64:
		return rule.Fail("open files are unlimited", "process.rlimits RLIMIT_NOFILE hard unlimited")
	case !ok:
		return rule.Warn("no RLIMIT_NOFILE: the runtime's default applies", "process.rlimits lacks RLIMIT_NOFILE")
	}
	if core, ok := findRlimit(spec, "RLIMIT_CORE"); ok && core.Hard > 0 {
		return rule.Warn("core dumps are allowed and may hold secrets", fmt.Sprintf("process.rlimits RLIMIT_CORE hard %d", core.Hard))
	}
	return rule.Pass("open files bounded", fmt.Sprintf("process.rlimits RLIMIT_NOFILE %d/%d", nofile.Soft, nofile.Hard))
}
