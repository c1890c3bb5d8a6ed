package daemonconf

import (
	"slices"
	"strings"
)

// Kind is the JSON shape dockerd expects for a key.
type Kind int

// Kinds of daemon.json values.
const (
	KindBool         Kind = iota + 1 // true or false
	KindInt                          // a JSON integer
	KindString                       // a JSON string
	KindStrings                      // a list of strings
	KindStringMap                    // an object whose values are strings (log-opts)
	KindObject                       // an object (features, builder)
	KindSize                         // a string size such as "64M" (never a number)
	KindIP                           // a string IP address
	KindUlimits                      // {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}}
	KindRuntimes                     // {"name": {"path": "...", "runtimeArgs": [...]}}
	KindAddressPools                 // [{"base": "10.0.0.0/8", "size": 24}]
	KindBoolMap                      // an object whose values are booleans (features)
)

var kindNames = map[Kind]string{
	KindBool: "a boolean", KindInt: "an integer", KindString: "a string",
	KindStrings: "a list of strings", KindStringMap: "an object of string values",
	KindObject: "an object", KindSize: `a size string such as "64M"`, KindIP: "an IP address string",
	KindUlimits:      `an object of ulimits ({"nofile": {"Name": "nofile", "Soft": N, "Hard": N}})`,
	KindRuntimes:     `an object of runtimes ({"name": {"path": "..."}})`,
	KindAddressPools: `a list of {"base": CIDR, "size": N}`,
	KindBoolMap:      "an object of boolean values",
}

// String describes the kind for messages ("a list of strings").
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown kind"
}

// Key describes one daemon.json key.
type Key struct {
	Name string // the JSON key, e.g. "log-opts"
	Kind Kind
	// Flag is the dockerd command-line flag that sets the same value
	// ("host" for "hosts"); Short is its one-letter form ("H").
	Flag, Short string
	// Values lists the allowed values of a string key, when closed.
	Values []string
	// Since is the first engine that knows the key (zero: before 20.10).
	Since Version
	// Removed is the first engine that refuses the key (zero: still accepted).
	Removed Version
	// Ignored is the first engine that accepts the key but ignores it.
	Ignored Version
	// Note explains a deprecation, removal or renaming.
	Note string
	// Replacement names the key to use instead, if any.
	Replacement string
}

// KnownIn reports whether engine version ver accepts the key.
func (k Key) KnownIn(ver Version) bool {
	ver = ver.orOldest()
	if !k.Since.IsZero() && ver.Less(k.Since) {
		return false
	}
	return k.Removed.IsZero() || ver.Less(k.Removed)
}

// flagName returns the long flag name dockerd uses for the key.
func (k Key) flagName() string {
	if k.Flag != "" {
		return k.Flag
	}
	return k.Name
}

// schema is the key set of dockerd's configuration file, Linux daemon,
// from moby's daemon/config package and the dockerd reference (20.10
// through 29). The 20.10 entries were checked against a real 20.10.24
// daemon; later additions and removals follow the engine release notes and
// the deprecation list.
var schema = []Key{
	{Name: "allow-nondistributable-artifacts", Kind: KindStrings, Ignored: v(28, 0), Note: "deprecated in 27.0; since 28.0 dockerd still accepts the key but ignores it (pushing nondistributable artifacts is always allowed)"},
	{Name: "allow-direct-routing", Kind: KindBool, Since: v(28, 2)},
	{Name: "api-cors-header", Kind: KindString, Removed: v(28, 0), Note: "deprecated in 27.0 and removed in 28.0; put a reverse proxy in front of the API instead"},
	{Name: "authorization-plugins", Kind: KindStrings, Flag: "authorization-plugin"},
	{Name: "bip", Kind: KindString},
	{Name: "bip6", Kind: KindString, Since: v(28, 0)},
	{Name: "bridge", Kind: KindString, Short: "b"},
	{Name: "bridge-accept-fwmark", Kind: KindString, Since: v(29, 0)},
	{Name: "builder", Kind: KindObject},
	{Name: "cdi-spec-dirs", Kind: KindStrings, Flag: "cdi-spec-dir", Since: v(25, 0)},
	{Name: "cgroup-parent", Kind: KindString},
	{Name: "cluster-advertise", Kind: KindString, Removed: v(23, 0), Note: "legacy overlay networking with an external key-value store was removed in 23.0; use swarm mode"},
	{Name: "cluster-store", Kind: KindString, Removed: v(23, 0), Note: "legacy overlay networking with an external key-value store was removed in 23.0; use swarm mode"},
	{Name: "cluster-store-opts", Kind: KindStringMap, Flag: "cluster-store-opt", Removed: v(23, 0), Note: "removed in 23.0 with cluster-store"},
	{Name: "containerd", Kind: KindString},
	{Name: "containerd-namespace", Kind: KindString},
	{Name: "containerd-plugins-namespace", Kind: KindString},
	{Name: "cpu-rt-period", Kind: KindInt},
	{Name: "cpu-rt-runtime", Kind: KindInt},
	{Name: "cri-containerd", Kind: KindBool},
	{Name: "data-root", Kind: KindString},
	{Name: "debug", Kind: KindBool, Short: "D"},
	{Name: "deprecated-key-path", Kind: KindString, Ignored: v(20, 10), Note: "the trust key of schema 1 manifests; dockerd skips the key when it checks names and no longer uses it"},
	{Name: "default-address-pools", Kind: KindAddressPools, Flag: "default-address-pool"},
	{Name: "default-cgroupns-mode", Kind: KindString, Values: []string{"host", "private"}},
	{Name: "default-gateway", Kind: KindIP},
	{Name: "default-gateway-v6", Kind: KindIP},
	{Name: "default-ipc-mode", Kind: KindString, Values: []string{"private", "shareable"}},
	{Name: "default-network-opts", Kind: KindObject, Flag: "default-network-opt", Since: v(24, 0)},
	{Name: "default-runtime", Kind: KindString},
	{Name: "default-shm-size", Kind: KindSize},
	{Name: "default-stop-timeout", Kind: KindInt, Since: v(29, 7)},
	{Name: "default-ulimits", Kind: KindUlimits, Flag: "default-ulimit"},
	{Name: "disable-legacy-registry", Kind: KindBool, Removed: v(17, 12), Note: "v1 registry support was removed in Docker 17.12; dockerd refuses to start with this key (every registry is v2 now, so delete the line)"},
	{Name: "dns", Kind: KindStrings},
	{Name: "dns-opts", Kind: KindStrings, Flag: "dns-opt"},
	{Name: "dns-search", Kind: KindStrings},
	{Name: "exec-opts", Kind: KindStrings, Flag: "exec-opt"},
	{Name: "exec-root", Kind: KindString},
	{Name: "experimental", Kind: KindBool},
	{Name: "features", Kind: KindBoolMap, Flag: "feature"},
	{Name: "firewall-backend", Kind: KindString, Since: v(29, 0), Values: []string{"iptables", "nftables"}},
	{Name: "fixed-cidr", Kind: KindString},
	{Name: "fixed-cidr-v6", Kind: KindString},
	{Name: "graph", Kind: KindString, Short: "g", Removed: v(23, 0), Replacement: "data-root", Note: `renamed to "data-root" in 17.05 and removed in 23.0`},
	{Name: "group", Kind: KindString, Short: "G"},
	{Name: "host-gateway-ip", Kind: KindIP},
	{Name: "host-gateway-ips", Kind: KindStrings, Since: v(28, 0)},
	{Name: "hosts", Kind: KindStrings, Flag: "host", Short: "H"},
	{Name: "http-proxy", Kind: KindString, Since: v(23, 0)},
	{Name: "https-proxy", Kind: KindString, Since: v(23, 0)},
	{Name: "icc", Kind: KindBool},
	{Name: "init", Kind: KindBool},
	{Name: "init-path", Kind: KindString},
	{Name: "insecure-registries", Kind: KindStrings, Flag: "insecure-registry"},
	{Name: "ip", Kind: KindIP},
	{Name: "ip-forward", Kind: KindBool},
	{Name: "ip-forward-no-drop", Kind: KindBool, Since: v(28, 0)},
	{Name: "ip-masq", Kind: KindBool},
	{Name: "ip6tables", Kind: KindBool},
	{Name: "iptables", Kind: KindBool},
	{Name: "ipv6", Kind: KindBool},
	{Name: "labels", Kind: KindStrings, Flag: "label"},
	{Name: "live-restore", Kind: KindBool},
	{Name: "log-driver", Kind: KindString},
	{Name: "log-format", Kind: KindString, Since: v(25, 0), Values: []string{"text", "json"}},
	{Name: "log-level", Kind: KindString, Short: "l", Values: []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}},
	{Name: "log-opts", Kind: KindStringMap, Flag: "log-opt"},
	{Name: "max-concurrent-downloads", Kind: KindInt},
	{Name: "max-concurrent-uploads", Kind: KindInt},
	{Name: "max-download-attempts", Kind: KindInt},
	{Name: "metrics-addr", Kind: KindString},
	{Name: "min-api-version", Kind: KindString, Since: v(29, 0)},
	{Name: "mtu", Kind: KindInt},
	{Name: "network-control-plane-mtu", Kind: KindInt},
	{Name: "network-diagnostic-port", Kind: KindInt},
	{Name: "no-new-privileges", Kind: KindBool},
	{Name: "no-proxy", Kind: KindString, Since: v(23, 0)},
	{Name: "nri-opts", Kind: KindObject, Since: v(29, 2)},
	{Name: "node-generic-resources", Kind: KindStrings, Flag: "node-generic-resource"},
	{Name: "oom-score-adjust", Kind: KindInt, Removed: v(25, 0), Note: "deprecated in 24.0 and removed in 25.0; set OOMScoreAdjust in the systemd unit instead"},
	{Name: "proxies", Kind: KindStringMap, Since: v(23, 0)},
	{Name: "pidfile", Kind: KindString, Short: "p"},
	{Name: "raw-logs", Kind: KindBool},
	{Name: "registry-mirrors", Kind: KindStrings, Flag: "registry-mirror"},
	{Name: "rootless", Kind: KindBool},
	{Name: "runtimes", Kind: KindRuntimes, Flag: "add-runtime"},
	{Name: "seccomp-profile", Kind: KindString},
	{Name: "selinux-enabled", Kind: KindBool},
	{Name: "shutdown-timeout", Kind: KindInt},
	{Name: "storage-driver", Kind: KindString, Short: "s"},
	{Name: "storage-opts", Kind: KindStrings, Flag: "storage-opt"},
	{Name: "swarm-default-advertise-addr", Kind: KindString},
	{Name: "tls", Kind: KindBool},
	{Name: "tlscacert", Kind: KindString},
	{Name: "tlscert", Kind: KindString},
	{Name: "tlskey", Kind: KindString},
	{Name: "tlsverify", Kind: KindBool},
	{Name: "userland-proxy", Kind: KindBool},
	{Name: "userland-proxy-path", Kind: KindString},
	{Name: "userns-remap", Kind: KindString},
}

// flagOnly are dockerd flags that are not configuration keys. dockerd's
// unknown-key check looks names up among its flags, so these pass it and
// are then silently ignored.
var flagOnly = map[string]string{
	"config-file": "", "help": "", "version": "", "validate": "",
	"host": "hosts", "label": "labels", "dns-opt": "dns-opts", "insecure-registry": "insecure-registries",
	"registry-mirror": "registry-mirrors", "storage-opt": "storage-opts", "exec-opt": "exec-opts",
	"log-opt": "log-opts", "default-ulimit": "default-ulimits", "authorization-plugin": "authorization-plugins",
	"add-runtime": "runtimes", "default-address-pool": "default-address-pools",
	"node-generic-resource": "node-generic-resources", "cluster-store-opt": "cluster-store-opts",
	"feature": "features", "cdi-spec-dir": "cdi-spec-dirs", "default-network-opt": "default-network-opts",
}

// flagSince are flags newer than the key they set (or than 20.10).
var flagSince = map[string]Version{"feature": v(28, 0), "validate": v(23, 0)}

// flagOnlyIn reports whether name is a flag, not a key, of engine ver; real
// is the configuration key it sets ("" for none).
func flagOnlyIn(name string, ver Version) (real string, ok bool) {
	real, ok = flagOnly[name]
	if !ok {
		return "", false
	}
	if since, newer := flagSince[name]; newer && ver.Less(since) {
		return "", false
	}
	if k, known := Lookup(real); known && !k.KnownIn(ver) {
		return "", false
	}
	return real, true
}

// Schema returns the keys known to engine version ver (zero: Oldest),
// sorted by name. Removed keys are not included; see Lookup.
func Schema(ver Version) []Key {
	var out []Key
	for _, k := range schema {
		if k.KnownIn(ver) {
			out = append(out, k)
		}
	}
	return out
}

// Lookup returns the schema entry for a key name, including keys that
// were removed or are not yet known to some engines.
func Lookup(name string) (Key, bool) {
	i := slices.IndexFunc(schema, func(k Key) bool { return k.Name == name })
	if i < 0 {
		return Key{}, false
	}
	return schema[i], true
}

// suggest returns the known key nearest to name, if it is near enough.
func suggest(name string, ver Version) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	best, bestD := "", 1<<30
	for _, k := range schema {
		if !k.KnownIn(ver) {
			continue
		}
		if k.Name == lower {
			return k.Name
		}
		d := distance(lower, k.Name)
		if d < bestD {
			best, bestD = k.Name, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(lower) > 8) {
		return best
	}
	return ""
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
