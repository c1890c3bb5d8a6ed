package daemonconf

import (
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkTLS binds daemon.tls to its judge.
var checkTLS = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonTLS, Title: "TCP sockets require mutual TLS", Severity: rule.SeverityCritical, CIS: []string{"2.7"},
		Rationale:   "Anyone who reaches an unauthenticated TCP socket is root on the host.",
		Remediation: `Set "tlsverify": true with "tlscacert", "tlscert" and "tlskey" whenever "hosts" has a tcp:// address.`},
	Judge: func(c *Config) rule.Result {
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
	},
}
