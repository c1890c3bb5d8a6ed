package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkRemoteLogging binds daemon.remote-logging to its judge.
var checkRemoteLogging = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonRemoteLogging, Title: "Container logs are rotated or sent to a remote log", Severity: rule.SeverityMedium, CIS: []string{"2.13"},
		Rationale:   "Unrotated json-file logs fill the disk; logs that only live on the host are lost with it.",
		Remediation: `Use "log-driver": "syslog" with "syslog-address", or "local" / "json-file" with "max-size" and "max-file".`},
	Judge: func(c *Config) rule.Result {
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
}

// fixRemoteLogging is what Harden sets for daemon.remote-logging.
func fixRemoteLogging(m map[string]any) string {
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
}
