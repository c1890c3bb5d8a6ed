package hardening

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// judgeSensitive judges the host paths of s's mounts as v sees them (the
// judge of container.sensitive-mounts, check_sensitive_mounts.go).
func judgeSensitive(s *Subject, v *hostView) rule.Result {
	var bad, ro []string
	for _, m := range v.mounts(s) {
		desc := mountDesc(m)
		if m.Problem != "" {
			return rule.Fail("a bind dockerd would read differently cannot be judged: refused", desc+": "+m.Problem)
		}
		if !hostPathMount(m) || m.Source == "" {
			continue
		}
		p, err := v.resolve(m.Source)
		if err != nil {
			return rule.Fail("mount source cannot be resolved: it may be a sensitive host path", fmt.Sprintf("%s: %v", desc, err))
		}
		d := policy.SensitiveDir(p)
		if d == "" {
			var eff string
			if eff, d = v.sensitiveIdentity(p); d != "" {
				p = eff + " (same device and inode)"
			}
		}
		if d == "" {
			continue
		}
		if p != policy.CleanHostPath(m.Source) {
			desc += " (resolves to " + p + ")"
		}
		if m.RW {
			bad = append(bad, desc+" (rw)")
		} else {
			ro = append(ro, desc+" (ro)")
		}
	}
	if len(bad) > 0 {
		return rule.Fail("sensitive host path mounted writable", "Mounts: "+strings.Join(bad, ", "))
	}
	if len(ro) > 0 {
		return rule.Pass("sensitive host paths are mounted read-only only", "Mounts: "+strings.Join(ro, ", "))
	}
	return rule.Pass("no sensitive host path mounted", "")
}
