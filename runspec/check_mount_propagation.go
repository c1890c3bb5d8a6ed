package runspec

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkMountPropagation binds container.mount-propagation to its judge.
var checkMountPropagation = rule.Bind(containerRules, rule.ContainerMountPropagation, judgeMountPropagation)

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

// applyMountPropagation refuses shared mount propagation.
func applyMountPropagation(_ *settings, spec *specs.Spec, waived bool) error {
	if bad := sharedPropagation(spec); len(bad) > 0 && !waived {
		return violation(rule.ContainerMountPropagation, "shared mount propagation", strings.Join(bad, "; "))
	}
	return nil
}

func judgeMountPropagation(in subject) rule.Result {
	if bad := sharedPropagation(in.spec); len(bad) > 0 {
		return rule.Fail("shared mount propagation", strings.Join(bad, "; "))
	}
	return rule.Pass("no shared mount propagation", "")
}
