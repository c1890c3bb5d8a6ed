package hardening

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkTmpfsFlags binds container.tmpfs-flags to its judge.
var checkTmpfsFlags = rule.Bind(containerRules, rule.ContainerTmpfsFlags, judgeTmpfsFlags)

// applyTmpfsFlags is the builder's default for container.tmpfs-flags: a
// /tmp tmpfs with policy.DefaultTmpfs (noexec,nosuid,nodev), the writable
// scratch space a read-only root filesystem leaves.
func applyTmpfsFlags(sp *Spec) {
	if sp.HostConfig.Tmpfs == nil {
		sp.HostConfig.Tmpfs = map[string]string{}
	}
	sp.HostConfig.Tmpfs["/tmp"] = policy.DefaultTmpfs
}

// judgeTmpfsFlags judges container.tmpfs-flags: every writable tmpfs is
// noexec, nosuid and nodev.
func judgeTmpfsFlags(s *Subject) rule.Result {
	var bad []string
	for _, m := range s.Mounts {
		if m.Type != mount.TypeTmpfs || !m.RW {
			continue
		}
		for _, o := range strings.Split(m.Options, ",") {
			switch strings.TrimSpace(o) {
			case "exec", "suid", "dev":
				bad = append(bad, fmt.Sprintf("%s:%s", m.Destination, o))
			}
		}
	}
	if len(bad) > 0 {
		return rule.Fail("writable tmpfs allows exec, suid or devices", "Tmpfs: "+strings.Join(bad, ", "))
	}
	return rule.Pass("writable tmpfs mounts are noexec,nosuid,nodev", "")
}
