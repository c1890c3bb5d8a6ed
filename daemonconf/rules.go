package daemonconf

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// Rule IDs of the daemon configuration rules. CIS numbers (v1.6.0) are
// references on each rule in Rules.
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

// checks is the catalog of the security rules Validate judges, in report
// order; each lives in its own check_*.go file with its test.
var checks = rule.Checks[*Config]{
	checkLegacyRegistry,
	checkICC,
	checkLogLevel,
	checkIPTables,
	checkInsecureRegistries,
	checkStorageDriver,
	checkDevicemapper,
	checkTLS,
	checkDefaultUlimits,
	checkUsernsRemap,
	checkCgroupParent,
	checkAuthorizationPlugin,
	checkRemoteLogging,
	checkNoNewPrivileges,
	checkLiveRestore,
	checkUserlandProxy,
	checkSeccompProfile,
	checkExperimental,
}.MustValidate()

// fixes are what Harden sets, by rule; Harden applies them in the order of
// checks. A rule without one is left for the user to decide.
var fixes = map[rule.ID]func(m map[string]any) string{
	DaemonLegacyRegistry:     fixLegacyRegistry,
	DaemonICC:                fixICC,
	DaemonLogLevel:           fixLogLevel,
	DaemonIPTables:           fixIPTables,
	DaemonInsecureRegistries: fixInsecureRegistries,
	DaemonDefaultUlimits:     fixDefaultUlimits,
	DaemonRemoteLogging:      fixRemoteLogging,
	DaemonNoNewPrivileges:    fixNoNewPrivileges,
	DaemonLiveRestore:        fixLiveRestore,
	DaemonUserlandProxy:      fixUserlandProxy,
	DaemonSeccompProfile:     fixSeccompProfile,
	DaemonExperimental:       fixExperimental,
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

// Rules returns the daemon configuration rules in report order: the two
// rules Validate reports from its problems, then the checks. The result is
// a copy the caller may change.
func Rules() rule.Catalog {
	return append(rule.Catalog{ruleValidConfig, ruleConfigHygiene}.Clone(), checks.Catalog()...)
}

// checkRules runs every security rule on c.
func checkRules(c *Config, target string, w rule.Waivers) []rule.Finding {
	var fs []rule.Finding
	for _, ck := range checks {
		res := ck.Judge(c)
		res.Method = "daemon.json"
		fs = append(fs, ck.Rule.Finding(target, w.Apply(ck.Rule.ID, res)))
	}
	return fs
}
