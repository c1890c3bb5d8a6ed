package hardening

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/mount"

	"github.com/safedock/safedock/rule"
)

// checkMountPropagation binds container.mount-propagation to its judge. The
// builder mounts nothing shared by default.
var checkMountPropagation = rule.Bind(containerRules, rule.ContainerMountPropagation, judgeMountPropagation)

// judgeMountPropagation judges container.mount-propagation: no mount is
// shared or rshared.
func judgeMountPropagation(s *Subject) rule.Result {
	var bad []string
	for _, m := range s.Mounts {
		if m.Propagation == mount.PropagationShared || m.Propagation == mount.PropagationRShared {
			bad = append(bad, fmt.Sprintf("%s:%s:%s", m.Source, m.Destination, m.Propagation))
		}
	}
	if len(bad) > 0 {
		return rule.Fail("shared mount propagation", "Mounts: "+strings.Join(bad, ", "))
	}
	return rule.Pass("no shared mount propagation", "")
}
