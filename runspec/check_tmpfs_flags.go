package runspec

import (
	"path"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkTmpfsFlags binds container.tmpfs-flags to its judge.
var checkTmpfsFlags = rule.Bind(containerRules, rule.ContainerTmpfsFlags, judgeTmpfsFlags)

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

// applyTmpfsFlags mounts the tmpfs WithTmpfs names and adds nosuid, nodev
// and noexec to every writable tmpfs but /dev.
func applyTmpfsFlags(s *settings, spec *specs.Spec, waived bool) error {
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

func judgeTmpfsFlags(in subject) rule.Result {
	if bad := weakTmpfs(in.spec); len(bad) > 0 {
		return rule.Fail("writable tmpfs without nosuid, nodev, noexec", strings.Join(bad, "; "))
	}
	return rule.Pass("writable tmpfs mounts are nosuid, nodev, noexec", "")
}
