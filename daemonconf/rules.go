package daemonconf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// Rule IDs of the daemon configuration rules. CIS numbers (v1.6.0) are
// references on each rule in Catalog.
const (
	DaemonValidConfig         rule.ID = "daemon.valid-config"
	DaemonConfigHygiene       rule.ID = "daemon.config-hygiene"
	DaemonICC                 rule.ID = "daemon.icc"
	DaemonLogLevel            rule.ID = "daemon.log-level"
	DaemonIPTables            rule.ID = "daemon.iptables"
	DaemonInsecureRegistries  rule.ID = "daemon.insecure-registries"
	DaemonStorageDriver       rule.ID = "daemon.storage-driver"
	DaemonTLS                 rule.ID = "daemon.tls"
	DaemonDefaultUlimits      rule.ID = "daemon.default-ulimits"
	DaemonUsernsRemap         rule.ID = "daemon.userns-remap"
	DaemonCgroupParent        rule.ID = "daemon.cgroup-parent"
	DaemonAuthorizationPlugin rule.ID = "daemon.authorization-plugin"
	DaemonRemoteLogging       rule.ID = "daemon.remote-logging"
	DaemonNoNewPrivileges     rule.ID = "daemon.no-new-privileges"
	DaemonLiveRestore         rule.ID = "daemon.live-restore"
	DaemonUserlandProxy       rule.ID = "daemon.userland-proxy"
	DaemonSeccompProfile      rule.ID = "daemon.seccomp-profile"
	DaemonExperimental        rule.ID = "daemon.experimental"
	DaemonLegacyRegistry      rule.ID = "daemon.legacy-registry"
	// DaemonDevicemapper is CIS Docker Benchmark v1.8.0 2.7, a control
	// 1.6.0 and 1.7.0 do not have.
	DaemonDevicemapper rule.ID = "daemon.devicemapper"
)

// daemonRule is a rule declared once: metadata, the check Validate runs and
// (for rules a merge can enforce without inventing values) the fix Harden
// applies.
type daemonRule struct {
	rule.Rule
	check func(c *Config) rule.Result
	// fix sets the secure value in m (the file's top level) and says what it
	// changed; nil when Harden cannot decide the value for the user.
	fix func(m map[string]any) string
}

func boolIs(c *Config, key string, want, def bool) (got bool, set bool) {
	b, ok := c.Bool(key)
	if !ok {
		return def, false
	}
	return b, true
}

func wantBool(key string, want, def bool) func(c *Config) rule.Result {
	return func(c *Config) rule.Result {
		got, set := boolIs(c, key, want, def)
		detail := fmt.Sprintf("%s: %v", key, got)
		if !set {
			detail += " (default)"
		}
		if got == want {
			return rule.Pass(fmt.Sprintf("%s is %v", key, want), detail)
		}
		return rule.Fail(fmt.Sprintf("%s is not %v", key, want), detail)
	}
}

func setBool(key string, val bool) func(m map[string]any) string {
	return func(m map[string]any) string {
		if b, ok := m[key].(bool); ok && b == val {
			return ""
		}
		old, had := m[key]
		m[key] = val
		if had {
			return fmt.Sprintf("%s: %v -> %v", key, old, val)
		}
		return fmt.Sprintf("%s: set to %v", key, val)
	}
}

var rules = []daemonRule{
	{Rule: rule.Rule{ID: DaemonValidConfig, Title: "dockerd accepts the configuration file", Severity: rule.SeverityCritical,
		Rationale:   "A daemon.json dockerd refuses stops the engine at its next restart; one whose values break containers stops every workload.",
		Remediation: "Fix each error reported by safedock daemon-config validate before restarting dockerd."}},
	{Rule: rule.Rule{ID: DaemonConfigHygiene, Title: "The configuration has no ignored, duplicate or deprecated keys", Severity: rule.SeverityLow,
		Rationale:   "Keys dockerd silently ignores or keeps only once mean the daemon does not run with the settings the file shows.",
		Remediation: "Remove ignored and duplicate keys; replace deprecated ones."}},
	{Rule: rule.Rule{ID: DaemonLegacyRegistry, Title: "No disable-legacy-registry key", Severity: rule.SeverityHigh, CIS: []string{"2.13"},
		Rationale:   "The seed's --disable-legacy-registry was removed in Docker 17.12 with v1 registry support; dockerd refuses to start with the key. Every registry is v2, so the old advice is obsolete.",
		Remediation: "Delete disable-legacy-registry from daemon.json."},
		check: func(c *Config) rule.Result {
			if c.Has("disable-legacy-registry") {
				return rule.Fail("disable-legacy-registry is set; dockerd >= 17.12 refuses to start", "disable-legacy-registry")
			}
			return rule.Pass("no disable-legacy-registry key", "")
		},
		fix: func(m map[string]any) string {
			if _, ok := m["disable-legacy-registry"]; ok {
				delete(m, "disable-legacy-registry")
				return "disable-legacy-registry: removed (v1 registries are gone since 17.12)"
			}
			return ""
		}},
	{Rule: rule.Rule{ID: DaemonICC, Title: "Inter-container communication on the default bridge is off", Severity: rule.SeverityMedium, CIS: []string{"2.2"},
		Rationale:   "With icc on, every container on the default bridge can reach every other one's ports.",
		Remediation: `Set "icc": false (and keep iptables true); give containers that must talk a user-defined network.`},
		check: wantBool("icc", false, true), fix: setBool("icc", false)},
	{Rule: rule.Rule{ID: DaemonLogLevel, Title: "Daemon log level is info", Severity: rule.SeverityLow, CIS: []string{"2.3"},
		Rationale:   "info records what an audit needs; debug logs too much (possibly secrets), warn and above too little.",
		Remediation: `Set "log-level": "info".`},
		check: checkLogLevel,
		fix: func(m map[string]any) string {
			var out []string
			if d, ok := m["debug"].(bool); ok && d {
				// debug forces the debug level whatever log-level says.
				m["debug"] = false
				out = append(out, "debug: true -> false (debug overrides log-level)")
			}
			if s, ok := m["log-level"].(string); ok && s != "info" {
				m["log-level"] = "info"
				out = append(out, fmt.Sprintf("log-level: %s -> info", s))
			}
			if _, ok := m["log-level"]; !ok {
				m["log-level"] = "info"
				out = append(out, "log-level: set to info")
			}
			return strings.Join(out, "; ")
		}},
	{Rule: rule.Rule{ID: DaemonIPTables, Title: "Docker manages iptables", Severity: rule.SeverityMedium, CIS: []string{"2.4"},
		Rationale:   "With iptables off, published ports and icc=false are not enforced and the firewall drifts from the containers.",
		Remediation: `Set "iptables": true (the default).`},
		check: wantBool("iptables", true, true), fix: setBool("iptables", true)},
	{Rule: rule.Rule{ID: DaemonInsecureRegistries, Title: "No insecure registries", Severity: rule.SeverityHigh, CIS: []string{"2.5"},
		Rationale:   "An insecure registry is contacted without TLS verification; images pulled from it can be tampered with.",
		Remediation: "Remove insecure-registries; give the registry a certificate (place its CA in /etc/docker/certs.d/HOST/ca.crt)."},
		check: func(c *Config) rule.Result {
			if r := c.Strings("insecure-registries"); len(r) > 0 {
				return rule.Fail("insecure registries are configured", "insecure-registries: "+strings.Join(r, ", "))
			}
			return rule.Pass("no insecure registries", "")
		},
		fix: func(m map[string]any) string {
			if r, ok := m["insecure-registries"].([]any); ok && len(r) > 0 {
				delete(m, "insecure-registries")
				return fmt.Sprintf("insecure-registries: removed %v", r)
			}
			return ""
		}},
	{Rule: rule.Rule{ID: DaemonStorageDriver, Title: "Storage driver is overlay2", Severity: rule.SeverityMedium, CIS: []string{"2.6"},
		Rationale:   "overlay2 is the supported default; aufs and devicemapper are removed, others have weaker isolation or support.",
		Remediation: `Set "storage-driver": "overlay2" on a new data root (changing it hides existing images and containers).`},
		check: func(c *Config) rule.Result {
			s, ok := c.String("storage-driver")
			if !ok {
				return rule.Pass("storage driver left to dockerd (overlay2 where supported)", "storage-driver: (default)")
			}
			if s == "overlay2" {
				return rule.Pass("storage driver is overlay2", "storage-driver: overlay2")
			}
			return rule.Fail("storage driver is not overlay2", "storage-driver: "+s)
		}},
	{Rule: rule.Rule{ID: DaemonDevicemapper, Title: "The devicemapper storage driver is not used", Severity: rule.SeverityMedium,
		Refs:        map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {"2.7"}},
		Rationale:   "devicemapper was deprecated in Docker 20.10 and removed in 25.0: a daemon on it gets no fixes for the driver and cannot be upgraded without moving its images and containers.",
		Remediation: `Do not set "storage-driver": "devicemapper" or dockerd -s/--storage-driver devicemapper; move to overlay2 on a new data root (existing images and containers must be re-created or migrated).`},
		check: func(c *Config) rule.Result {
			s, src, ok := c.setting("storage-driver")
			if !ok {
				return rule.Pass("storage driver left to dockerd, which never picks devicemapper by default since 20.10", "storage-driver: (default)")
			}
			if strings.EqualFold(strings.TrimSpace(s), "devicemapper") {
				return rule.Fail("the devicemapper storage driver is configured", "storage-driver: devicemapper ("+src+")")
			}
			return rule.Pass("the storage driver is not devicemapper", "storage-driver: "+s+" ("+src+")")
		}},
	{Rule: rule.Rule{ID: DaemonTLS, Title: "TCP sockets require mutual TLS", Severity: rule.SeverityCritical, CIS: []string{"2.7"},
		Rationale:   "Anyone who reaches an unauthenticated TCP socket is root on the host.",
		Remediation: `Set "tlsverify": true with "tlscacert", "tlscert" and "tlskey" whenever "hosts" has a tcp:// address.`},
		check: func(c *Config) rule.Result {
			var tcp []string
			for _, h := range c.Strings("hosts") {
				if strings.HasPrefix(h, "tcp://") {
					tcp = append(tcp, h)
				}
			}
			if len(tcp) == 0 {
				return rule.Pass("no TCP socket", "hosts: "+strings.Join(c.Strings("hosts"), ", "))
			}
			verify, _ := c.Bool("tlsverify")
			var missing []string
			for _, k := range []string{"tlscacert", "tlscert", "tlskey"} {
				if s, _ := c.String(k); s == "" {
					missing = append(missing, k)
				}
			}
			if !verify || len(missing) > 0 {
				return rule.Fail("a TCP socket without mutual TLS", fmt.Sprintf("hosts: %s; tlsverify: %v; missing: %s", strings.Join(tcp, ", "), verify, strings.Join(missing, ", ")))
			}
			return rule.Pass("TCP sockets require client certificates", strings.Join(tcp, ", "))
		}},
	{Rule: rule.Rule{ID: DaemonDefaultUlimits, Title: "Default ulimits are set", Severity: rule.SeverityLow, CIS: []string{"2.8"},
		Rationale:   "Without default ulimits containers inherit dockerd's own (often huge) limits.",
		Remediation: `Set "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 4096}} (at most dockerd's own hard limit).`},
		check: func(c *Config) rule.Result {
			if !c.Has("default-ulimits") {
				return rule.Fail("no default ulimits", "default-ulimits: (unset)")
			}
			return rule.Pass("default ulimits set", "")
		},
		fix: func(m map[string]any) string {
			if _, ok := m["default-ulimits"]; ok {
				return ""
			}
			m["default-ulimits"] = defaultUlimits(1024, 4096)
			return "default-ulimits: set nofile 1024:4096"
		}},
	{Rule: rule.Rule{ID: DaemonUsernsRemap, Title: "User namespace remapping is on", Severity: rule.SeverityHigh, CIS: []string{"2.9"},
		Rationale:   "With userns-remap, root in a container is an unprivileged user on the host.",
		Remediation: `Set "userns-remap": "default" (existing images and containers stay under the old data root and must be re-created).`},
		check: checkUserns},
	{Rule: rule.Rule{ID: DaemonCgroupParent, Title: "A cgroup parent is set", Severity: rule.SeverityInfo, CIS: []string{"2.10"},
		Rationale:   "A dedicated parent cgroup lets the host cap all containers together.",
		Remediation: `Set "cgroup-parent" to a dedicated cgroup (a .slice with the systemd driver).`},
		check: func(c *Config) rule.Result {
			if s, _ := c.String("cgroup-parent"); s != "" {
				return rule.Pass("cgroup-parent is set", "cgroup-parent: "+s)
			}
			return rule.Warn("cgroup-parent is the default", "cgroup-parent: (unset); confirm the default is intended")
		}},
	{Rule: rule.Rule{ID: DaemonAuthorizationPlugin, Title: "An authorization plugin is configured", Severity: rule.SeverityInfo, CIS: []string{"2.12"},
		Rationale:   "Without an authorization plugin, every user of the socket can do everything.",
		Remediation: `Run safedock's own plugin, which enforces this catalog on every client (safedock authz install; docs/authz.md), and set "authorization-plugins": ["safedock"]; or install another authorization plugin and list it there.`},
		check: func(c *Config) rule.Result {
			if p := c.flags["authorization-plugins"]; len(p) > 0 {
				return rule.Pass("authorization plugin configured", "dockerd --authorization-plugin "+strings.Join(p, ", "))
			}
			if p := c.Strings("authorization-plugins"); len(p) > 0 {
				return rule.Pass("authorization plugin configured", "authorization-plugins: "+strings.Join(p, ", "))
			}
			return rule.Warn("no authorization plugin", "authorization-plugins: (unset)")
		}},
	{Rule: rule.Rule{ID: DaemonRemoteLogging, Title: "Container logs are rotated or sent to a remote log", Severity: rule.SeverityMedium, CIS: []string{"2.13"},
		Rationale:   "Unrotated json-file logs fill the disk; logs that only live on the host are lost with it.",
		Remediation: `Use "log-driver": "syslog" with "syslog-address", or "local" / "json-file" with "max-size" and "max-file".`},
		check: func(c *Config) rule.Result {
			driver, _ := c.String("log-driver")
			opts := c.StringMap("log-opts")
			switch cmpOr(driver, "json-file") {
			case "syslog":
				if opts["syslog-address"] != "" {
					return rule.Pass("logs go to a remote syslog", "syslog-address: "+opts["syslog-address"])
				}
				return rule.Warn("syslog without syslog-address logs to the local syslog only", "log-driver: syslog")
			case "local":
				return rule.Pass("local driver rotates logs", "log-driver: local")
			case "json-file":
				if opts["max-size"] != "" {
					return rule.Pass("json-file logs are rotated", "max-size: "+opts["max-size"])
				}
				return rule.Fail("json-file logs grow without bound", "log-driver: json-file, no max-size")
			case "none":
				return rule.Fail("container logs are discarded", "log-driver: none")
			}
			return rule.Pass("logs go to a remote driver", "log-driver: "+driver)
		},
		fix: func(m map[string]any) string {
			driver, _ := m["log-driver"].(string)
			if driver != "" && driver != "json-file" {
				return ""
			}
			opts, _ := m["log-opts"].(map[string]any)
			if opts == nil {
				opts = map[string]any{}
			}
			if s, _ := opts["max-size"].(string); s != "" {
				return ""
			}
			opts["max-size"] = "10m"
			if _, ok := opts["max-file"]; !ok {
				opts["max-file"] = "3"
			}
			m["log-opts"] = opts
			return "log-opts: json-file rotation max-size 10m, max-file 3"
		}},
	{Rule: rule.Rule{ID: DaemonNoNewPrivileges, Title: "no-new-privileges is the default", Severity: rule.SeverityMedium, CIS: []string{"2.14"},
		Rationale:   "Stops setuid binaries in containers from gaining privileges.",
		Remediation: `Set "no-new-privileges": true.`},
		check: wantBool("no-new-privileges", true, false), fix: setBool("no-new-privileges", true)},
	{Rule: rule.Rule{ID: DaemonLiveRestore, Title: "Live restore is on", Severity: rule.SeverityLow, CIS: []string{"2.15"},
		Rationale:   "Containers keep running while dockerd restarts or upgrades. (Not on swarm nodes: the two exclude each other.)",
		Remediation: `Set "live-restore": true (except on swarm nodes).`},
		check: checkLiveRestore, fix: setBool("live-restore", true)},
	{Rule: rule.Rule{ID: DaemonUserlandProxy, Title: "Userland proxy is off", Severity: rule.SeverityLow, CIS: []string{"2.16"},
		Rationale:   "docker-proxy is one process per published port and a larger attack surface than hairpin NAT.",
		Remediation: `Set "userland-proxy": false.`},
		check: wantBool("userland-proxy", false, true), fix: setBool("userland-proxy", false)},
	{Rule: rule.Rule{ID: DaemonSeccompProfile, Title: "Seccomp is not disabled for the daemon", Severity: rule.SeverityHigh, CIS: []string{"2.17"},
		Rationale:   "The default seccomp profile blocks dangerous syscalls; unconfined removes that layer for every container.",
		Remediation: `Remove "seccomp-profile": "unconfined"; point it at a custom profile only if it is stricter.`},
		check: func(c *Config) rule.Result {
			s, _ := c.String("seccomp-profile")
			switch s {
			case "unconfined":
				return rule.Fail("seccomp disabled for all containers", "seccomp-profile: unconfined")
			case "", "builtin":
				return rule.Pass("default seccomp profile", "seccomp-profile: "+cmpOr(s, "(default)"))
			}
			return rule.Pass("custom seccomp profile", "seccomp-profile: "+s)
		},
		fix: func(m map[string]any) string {
			if s, _ := m["seccomp-profile"].(string); s == "unconfined" {
				delete(m, "seccomp-profile")
				return "seccomp-profile: removed unconfined (back to the default profile)"
			}
			return ""
		}},
	{Rule: rule.Rule{ID: DaemonExperimental, Title: "Experimental features are off", Severity: rule.SeverityLow, CIS: []string{"2.18"},
		Rationale:   "Experimental features are not supported for production.",
		Remediation: `Set "experimental": false or remove it.`},
		check: wantBool("experimental", false, false), fix: setBool("experimental", false)},
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func defaultUlimits(soft, hard int64) map[string]any {
	return map[string]any{"nofile": map[string]any{"Name": "nofile", "Soft": soft, "Hard": hard}}
}

// Catalog returns the daemon configuration rules (a fresh copy).
func Catalog() rule.Catalog {
	out := make(rule.Catalog, len(rules))
	for i, r := range rules {
		out[i] = r.Rule
		out[i].CIS = slices.Clone(r.CIS)
		if r.Refs != nil {
			out[i].Refs = map[rule.Benchmark][]string{}
			for b, refs := range r.Refs {
				out[i].Refs[b] = slices.Clone(refs)
			}
		}
	}
	return out
}

// checkRules runs every security rule on c.
func checkRules(c *Config, target string, w rule.Waivers) []rule.Finding {
	var fs []rule.Finding
	for _, r := range rules {
		if r.check == nil {
			continue
		}
		res := r.check(c)
		res.Method = "daemon.json"
		fs = append(fs, r.Finding(target, w.Apply(r.ID, res)))
	}
	return fs
}
