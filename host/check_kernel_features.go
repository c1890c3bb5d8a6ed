package host

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkKernelFeatures binds host.kernel-features to its judge.
var checkKernelFeatures = rule.Check[*env]{
	Rule: rule.Rule{ID: HostKernelFeatures, Title: "the kernel has the features the daemon's configuration uses", Severity: rule.SeverityMedium,
		Rationale:   "overlay2 needs Linux 4.0 and the overlay filesystem; user namespaces need them enabled; cgroup v2 needs 4.15; seccomp needs kernel support. A missing feature silently weakens isolation or stops the daemon.",
		Remediation: "Enable the missing feature (e.g. sysctl user.max_user_namespaces=15000, modprobe overlay) or upgrade the kernel."},
	Judge: judgeKernelFeatures,
}

// feature is one kernel feature the daemon's configuration needs.
type feature struct {
	name   string
	why    string
	minMaj int
	minMin int
	probe  func(e *env) (bool, string) // present?, evidence; nil: version only
}

// judgeKernelFeatures judges host.kernel-features.
func judgeKernelFeatures(e *env) rule.Result {
	rel, _ := e.kernelRelease()
	maj, min, verr := ParseKernelVersion(rel)
	var needed []feature
	driver := e.daemon.Settings.StorageDriver
	if e.in.Info != nil && e.in.Info.Driver != "" {
		driver = e.in.Info.Driver
	}
	if driver == "overlay2" || driver == "" {
		needed = append(needed, feature{name: "overlay filesystem", why: "storage driver overlay2", minMaj: 4, minMin: 0, probe: probeFilesystem("overlay")})
	}
	if e.usernsRemap() {
		needed = append(needed, feature{name: "user namespaces", why: "userns-remap", minMaj: 3, minMin: 8, probe: probeUserns})
	}
	if e.in.Info != nil && e.in.Info.CgroupVersion == "2" {
		needed = append(needed, feature{name: "cgroup v2", why: "the daemon uses cgroup v2", minMaj: 4, minMin: 15})
	}
	if e.in.Info != nil && slices.ContainsFunc(e.in.Info.SecurityOptions, func(s string) bool { return strings.Contains(s, "name=seccomp") }) {
		needed = append(needed, feature{name: "seccomp", why: "the daemon applies seccomp profiles", minMaj: 3, minMin: 17, probe: probeSeccomp})
	}
	if len(needed) == 0 {
		return rule.Pass("the configuration needs no special kernel feature", "")
	}
	var missing, present, unknown []string
	for _, f := range needed {
		label := f.name + " (for " + f.why + ")"
		if verr == nil && !atLeast(maj, min, f.minMaj, f.minMin) {
			missing = append(missing, fmt.Sprintf("%s needs Linux %d.%d, have %d.%d", label, f.minMaj, f.minMin, maj, min))
			continue
		}
		if f.probe == nil || !e.files.Live() {
			if verr != nil {
				unknown = append(unknown, label)
			} else {
				present = append(present, label+" by version")
			}
			continue
		}
		ok, ev := f.probe(e)
		if !ok {
			missing = append(missing, label+": "+ev)
		} else {
			present = append(present, label+": "+ev)
		}
	}
	detail := "kernel " + rel + "; present: " + strings.Join(present, "; ")
	switch {
	case len(missing) > 0:
		return rule.Fail("missing kernel features: "+strings.Join(missing, "; "), detail)
	case len(unknown) > 0:
		return rule.Skip("cannot tell whether the kernel has: " + strings.Join(unknown, "; "))
	}
	return rule.Pass(fmt.Sprintf("all %d needed kernel features present", len(needed)), detail)
}

func probeFilesystem(name string) func(e *env) (bool, string) {
	return func(e *env) (bool, string) {
		b := e.facts.Kernel.Filesystems.Data
		if b == nil {
			return false, "cannot read /proc/filesystems"
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && f[len(f)-1] == name {
				return true, "listed in /proc/filesystems"
			}
		}
		// A module not yet loaded is loaded on first mount.
		if e.files.Exists("/sys/module/" + name) {
			return true, "module present"
		}
		return false, name + " not in /proc/filesystems (modprobe " + name + ")"
	}
}

func probeUserns(e *env) (bool, string) {
	b := e.facts.Kernel.MaxUserNamespaces.Data
	if b == nil {
		return false, "cannot read /proc/sys/user/max_user_namespaces"
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return false, "user.max_user_namespaces is " + strings.TrimSpace(string(b))
	}
	return true, "user.max_user_namespaces=" + strconv.Itoa(n)
}

func probeSeccomp(e *env) (bool, string) {
	b := e.facts.Kernel.Status.Data
	if b == nil {
		return false, "cannot read /proc/self/status"
	}
	if strings.Contains(string(b), "\nSeccomp:") {
		return true, "Seccomp field in /proc/self/status"
	}
	return false, "kernel built without CONFIG_SECCOMP"
}
