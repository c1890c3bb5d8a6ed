package hardening

import (
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"
)

// securityOptKey is the key of a --security-opt ("k=v", legacy "k:v", or
// a bare "no-new-privileges").
func securityOptKey(o string) string {
	k, _, ok := strings.Cut(o, "=")
	if !ok {
		k, _, _ = strings.Cut(o, ":")
	}
	return k
}

// SecurityOption returns the value of a --security-opt key (both "k=v" and
// the legacy "k:v" forms) and whether it was present. When the key is given
// more than once the last one wins, as dockerd applies them in order.
func SecurityOption(hc *container.HostConfig, key string) (string, bool) {
	for i := len(hc.SecurityOpt) - 1; i >= 0; i-- {
		o := hc.SecurityOpt[i]
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, ok = strings.Cut(o, ":")
		}
		if k != key {
			continue
		}
		if !ok {
			return "", true
		}
		return v, true
	}
	return "", false
}

// addSecurityOpt appends opt to hc's security options unless it is there.
func addSecurityOpt(hc *container.HostConfig, opt string) {
	if !slices.Contains(hc.SecurityOpt, opt) {
		hc.SecurityOpt = append(hc.SecurityOpt, opt)
	}
}

// firstNonEmpty returns the first of vs that is not empty.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
