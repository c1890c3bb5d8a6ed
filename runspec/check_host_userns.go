package runspec

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkHostUserns binds container.host-userns to its judge.
var checkHostUserns = rule.Bind(containerRules, rule.ContainerHostUserns, judgeHostUserns)

// applyHostUserns refuses joining the host's user namespace and, when
// WithUserNamespace asked for one, adds it with its mappings.
func applyHostUserns(s *settings, spec *specs.Spec, waived bool) error {
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

func judgeHostUserns(in subject) rule.Result {
	spec := in.spec
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
