package runspec

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// subject is what one runspec check looks at: the spec and the facts of the
// host that runs it. Check gives every judge a non-nil spec; its sections
// may be missing.
type subject struct {
	spec *specs.Spec
	host hostFacts
}

// hostFacts are what some checks need to know about the host that runs the
// spec: whether it has AppArmor and SELinux.
type hostFacts struct {
	appArmor bool
	seLinux  bool
}

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

// ---- namespaces (spec.mount-namespace and the container.host-* rules) ----

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

// applyNamespace enforces an own namespace of type typ, the apply of rule
// id: it adds one when the spec has none and refuses joining the host's.
func applyNamespace(typ specs.LinuxNamespaceType, id rule.ID) applyFunc {
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

// judgeNamespace judges that the spec has its own namespace of type typ.
func judgeNamespace(typ specs.LinuxNamespaceType) func(subject) rule.Result {
	return func(in subject) rule.Result {
		ns, ok := findNS(in.spec, typ)
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

// ---- mounts ----

func hasOpt(m specs.Mount, opt string) bool { return slices.Contains(m.Options, opt) }

func isBind(m specs.Mount) bool {
	return m.Type == "bind" || m.Type == "rbind" || hasOpt(m, "bind") || hasOpt(m, "rbind")
}

func readOnly(m specs.Mount) bool { return hasOpt(m, "ro") && !hasOpt(m, "rw") }

func mountDesc(m specs.Mount) string {
	return fmt.Sprintf("%s from %s (%s)", m.Destination, m.Source, strings.Join(m.Options, ","))
}

// ---- resources ----

// resources returns the spec's linux.resources, or an empty one.
func resources(spec *specs.Spec) *specs.LinuxResources {
	if spec == nil || spec.Linux == nil || spec.Linux.Resources == nil {
		return &specs.LinuxResources{}
	}
	return spec.Linux.Resources
}
