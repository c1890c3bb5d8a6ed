package daemonconf

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkLogLevel binds daemon.log-level to its judge.
var checkLogLevel = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonLogLevel, Title: "Daemon log level is info", Severity: rule.SeverityLow, CIS: []string{"2.3"},
		Rationale:   "info records what an audit needs; debug logs too much (possibly secrets), warn and above too little.",
		Remediation: `Set "log-level": "info".`},
	Judge: judgeLogLevel,
}

// fixLogLevel is what Harden sets for daemon.log-level.
func fixLogLevel(m map[string]any) string {
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
}

// judgeLogLevel is CIS 2.3 as dockerd applies it: dockerd sets the level
// from log-level and then, when debug is on, switches to debug (moby
// cmd/dockerd/daemon.go: configureDaemonLogs, then debug.Enable()).
func judgeLogLevel(c *Config) rule.Result {
	level, src, _ := c.setting("log-level")
	if level == "" {
		level = "info"
	}
	detail := fmt.Sprintf("log-level: %s (%s)", level, src)
	if debug, dsrc, _ := c.boolSetting("debug"); debug {
		return rule.Fail(fmt.Sprintf("dockerd logs at debug: \"debug\": true (%s) overrides log-level %q", dsrc, level),
			detail+fmt.Sprintf("; debug: true (%s); dockerd sets the level from log-level, then debug forces it to debug", dsrc))
	}
	if level == "info" {
		return rule.Pass("log-level is info", detail)
	}
	return rule.Fail("log-level is not info", detail)
}
