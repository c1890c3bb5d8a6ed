package runspec

import (
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkNonRootUser binds container.non-root-user to its judge.
var checkNonRootUser = rule.Bind(containerRules, rule.ContainerNonRootUser, judgeNonRootUser)

// applyNonRootUser sets the user WithUser names, or replaces root with
// policy's default user (a mapped one inside a user namespace), and drops
// the root group from the additional groups.
func applyNonRootUser(s *settings, spec *specs.Spec, waived bool) error {
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

func judgeNonRootUser(in subject) rule.Result {
	spec := in.spec
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
