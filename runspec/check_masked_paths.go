package runspec

import (
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkMaskedPaths binds spec.masked-paths to its judge.
var checkMaskedPaths = rule.Check[subject]{
	Rule: rule.Rule{
		ID: SpecMaskedPaths, Title: "Sensitive /proc and /sys paths are masked or read-only", Severity: rule.SeverityHigh,
		Rationale:   "Docker masks /proc/kcore, /proc/keys, /sys/firmware and others and makes /proc/sys, /proc/sysrq-trigger read-only; a spec without them (or with /sys writable) exposes kernel memory, keys and host-wide knobs — most of what --privileged means.",
		Remediation: "Keep Docker's linux.maskedPaths and linux.readonlyPaths (runspec.Apply adds them) and mount sysfs and cgroupfs with ro.",
	},
	Judge: judgeMaskedPaths,
}

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

// applyMaskedPaths adds the paths the options name and Docker's masked and
// read-only paths, and remounts sysfs and cgroupfs read-only.
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

func judgeMaskedPaths(in subject) rule.Result {
	spec := in.spec
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
