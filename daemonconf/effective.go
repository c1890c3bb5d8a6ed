package daemonconf

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the rules that judge what dockerd applies rather than
// what a key says: "debug" overrides "log-level", a userns-remap to root
// turns user namespaces off, and live-restore is refused on swarm nodes.

// setting returns the value dockerd uses for a string key: the command
// line's when it sets the key (dockerd refuses a file that sets it too), else
// the file's. src says where it came from.
func (c *Config) setting(key string) (val, src string, ok bool) {
	if v := c.flags[key]; len(v) > 0 {
		k, _ := Lookup(key)
		return v[len(v)-1], "dockerd --" + k.flagName(), true
	}
	if s, ok := c.String(key); ok {
		return s, "daemon.json", true
	}
	return "", "default", false
}

// boolSetting is setting for a boolean key; a flag value that is not a
// boolean is ignored (dockerd refuses it anyway).
func (c *Config) boolSetting(key string) (val bool, src string, ok bool) {
	if v := c.flags[key]; len(v) > 0 {
		if b, err := strconv.ParseBool(v[len(v)-1]); err == nil {
			k, _ := Lookup(key)
			return b, "dockerd --" + k.flagName(), true
		}
	}
	if b, ok := c.Bool(key); ok {
		return b, "daemon.json", true
	}
	return false, "default", false
}

// RemapsToRoot reports whether a userns-remap value names root, which
// turns user namespaces off: dockerd resolves the value to a user name
// (a number through /etc/passwd) and, when that name is "root", logs "root
// cannot be remapped with itself; user namespaces are OFF" and runs without
// remapping (moby daemon/daemon_unix.go, setupRemappedRoot). lookupUID,
// when not nil, resolves a uid as the host's /etc/passwd does; without it a
// number is judged by its value (0 is root). The reason says why.
func RemapsToRoot(spec string, lookupUID func(uid int) (string, bool)) (bool, string) {
	user, _, _ := strings.Cut(spec, ":")
	if user == "root" {
		return true, fmt.Sprintf("userns-remap %q names root", spec)
	}
	uid, err := strconv.ParseInt(user, 10, 32)
	if err != nil {
		return false, ""
	}
	if lookupUID != nil {
		if name, ok := lookupUID(int(uid)); ok && name == "root" {
			return true, fmt.Sprintf("userns-remap %q: uid %d is root on this host", spec, uid)
		}
		return false, ""
	}
	if uid == 0 {
		return true, fmt.Sprintf("userns-remap %q: uid 0 is root", spec)
	}
	return false, ""
}

func (h *HostFacts) uidLookup() func(int) (string, bool) {
	if h == nil {
		return nil
	}
	return h.LookupUID
}

// liveRestoreRefusedInSwarm reports whether engine ver refuses to start its
// cluster component, and so exits, on a swarm node with live-restore on.
// Every modelled engine does: Config.IsSwarmCompatible returns
// "--live-restore daemon configuration is incompatible with swarm mode" in
// 20.10 and still in 29.x, and dockerd treats the failed cluster start as
// fatal ("Error starting cluster component" up to 28.x, "failed to start
// cluster component" in 29.x). Kept as a function of the version so that a
// release lifting the exclusion changes one place.
func liveRestoreRefusedInSwarm(ver Version) bool { return ver.AtLeast(Oldest()) }
