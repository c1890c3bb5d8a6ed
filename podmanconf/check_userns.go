package podmanconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// DaemonPodmanUserns is the rule that Podman runs containers in a user
// namespace by default (containers.conf userns, or storage.conf's remap).
const DaemonPodmanUserns rule.ID = "daemon.podman-userns"

var userns = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonPodmanUserns, Title: "Containers run in a user namespace by default", Severity: rule.SeverityHigh, CIS: []string{"2.9"},
		Rationale:   "In the host's user namespace (userns = \"host\", rootful Podman's default) root in a container is root on the host for every file and device a breakout reaches; a user namespace maps it to an unprivileged host uid (the equivalent of dockerd's userns-remap).",
		Remediation: "Set userns = \"auto\" under [containers] in containers.conf (with root's ranges in /etc/subuid and /etc/subgid), or remap-user/remap-uids under [storage.options] in storage.conf."},
	Judge: func(c *Config) rule.Result {
		mode, src, ok := c.containersString("userns")
		mode = strings.TrimSpace(mode)
		for _, k := range []string{"storage.options.remap-user", "storage.options.remap-uids"} {
			if v, set := c.Storage[k]; set {
				if s, _ := v.V.(string); s != "" {
					return rule.Pass("storage.conf remaps container uids", setting(k, s, v.Source))
				}
			}
		}
		switch {
		case !ok || mode == "" || mode == "host":
			if !ok {
				mode = "host"
			}
			return rule.Fail("containers share the host's user namespace", setting("userns", mode, src))
		default:
			// auto, private, keep-id, nomap, ns:<path>: a namespace of
			// its own.
			return rule.Pass("containers get a user namespace", setting("userns", mode, src))
		}
	},
}
