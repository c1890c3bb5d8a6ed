package daemonconf

import (
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkDevicemapper binds daemon.devicemapper to its judge.
var checkDevicemapper = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonDevicemapper, Title: "The devicemapper storage driver is not used", Severity: rule.SeverityMedium,
		Refs:        map[rule.Benchmark][]string{rule.CIS160: {}, rule.CIS170: {}, rule.CIS180: {"2.7"}},
		Rationale:   "devicemapper was deprecated in Docker 20.10 and removed in 25.0: a daemon on it gets no fixes for the driver and cannot be upgraded without moving its images and containers.",
		Remediation: `Do not set "storage-driver": "devicemapper" or dockerd -s/--storage-driver devicemapper; move to overlay2 on a new data root (existing images and containers must be re-created or migrated).`},
	Judge: func(c *Config) rule.Result {
		s, src, ok := c.setting("storage-driver")
		if !ok {
			return rule.Pass("storage driver left to dockerd, which never picks devicemapper by default since 20.10", "storage-driver: (default)")
		}
		if strings.EqualFold(strings.TrimSpace(s), "devicemapper") {
			return rule.Fail("the devicemapper storage driver is configured", "storage-driver: devicemapper ("+src+")")
		}
		return rule.Pass("the storage driver is not devicemapper", "storage-driver: "+s+" ("+src+")")
	},
}
