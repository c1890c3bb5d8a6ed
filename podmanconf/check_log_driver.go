package podmanconf

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanLogDriver is the rule that Podman's container logs are
// bounded or shipped off the host.
const DaemonPodmanLogDriver rule.ID = "daemon.podman-log-driver"

var logDriver = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanLogDriver, Title: "Container logs are bounded or sent to the journal", Severity: rule.SeverityMedium, CIS: []string{"2.13"},
		Rationale:   "k8s-file without log_size_max grows until the disk is full and stays on the host; journald rotates and forwards (the equivalent of dockerd's log-driver and log-opts).",
		Remediation: "Set log_driver = \"journald\" under [containers] in containers.conf, or keep k8s-file and set log_size_max to a positive size in bytes (e.g. 10485760)."},
	Judge: func(c *Config) rule.Result {
		driver, src, ok := c.containersString("log_driver")
		if !ok || driver == "" {
			// Podman's default where systemd's journal is not used.
			driver, src = "k8s-file", ""
		}
		switch driver {
		case "journald":
			return rule.Pass("logs go to the journal, which rotates and forwards them", setting("log_driver", driver, src))
		case "none", "passthrough":
			return rule.Warn("containers keep no logs: confirm they are collected another way", setting("log_driver", driver, src))
		case "k8s-file":
			size := int64(-1)
			sizeSrc := ""
			if v, ok := c.Containers["log_size_max"]; ok {
				if n, ok := v.V.(int64); ok {
					size, sizeSrc = n, v.Source
				}
			}
			detail := setting("log_driver", driver, src) + "; " + setting("log_size_max", size, sizeSrc)
			if size <= 0 {
				return rule.Fail("k8s-file logs are unbounded", detail)
			}
			return rule.Pass(fmt.Sprintf("k8s-file logs are capped at %d bytes", size), detail)
		}
		return rule.Warn("unknown log driver: confirm it bounds or ships the logs", setting("log_driver", driver, src))
	},
}
