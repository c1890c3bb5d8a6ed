package hardening

import (
	"github.com/safedock/safedock/rule"
)

// checkSensitiveMounts binds container.sensitive-mounts to its judge. The
// builder mounts nothing by default.
var checkSensitiveMounts = rule.Bind(containerRules, rule.ContainerSensitiveMounts, judgeSensitiveMounts)

// judgeSensitiveMounts judges every host path a container gets (binds,
// --mount binds, volumes that bind a host directory) by what it really is:
// resolved on a local host, folded as written otherwise (judgeSensitive,
// mounts.go).
func judgeSensitiveMounts(s *Subject) rule.Result {
	v := openHostView(s.Host)
	defer v.close()
	res := judgeSensitive(s, v)
	res.Method = v.method()
	return res
}
