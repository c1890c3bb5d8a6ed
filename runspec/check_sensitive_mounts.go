package runspec

import (
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkSensitiveMounts binds container.sensitive-mounts to its judge.
var checkSensitiveMounts = rule.Bind(containerRules, rule.ContainerSensitiveMounts, judgeSensitiveMounts)

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

// applySensitiveMounts refuses a writable bind mount of a sensitive host
// path.
func applySensitiveMounts(_ *settings, spec *specs.Spec, waived bool) error {
	if bad := writableSensitive(spec); len(bad) > 0 && !waived {
		return violation(rule.ContainerSensitiveMounts, "writable bind mount of a sensitive host path", strings.Join(bad, "; "))
	}
	return nil
}

func judgeSensitiveMounts(in subject) rule.Result {
	if bad := writableSensitive(in.spec); len(bad) > 0 {
		return rule.Fail("writable bind mount of a sensitive host path", "mounts: "+strings.Join(bad, "; "))
	}
	return rule.Pass("no writable bind mount of a sensitive host path", "")
}
