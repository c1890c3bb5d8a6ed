package daemonconf

import (
	"github.com/safedock/safedock/rule"
)

// checkStorageDriver binds daemon.storage-driver to its judge.
var checkStorageDriver = rule.Check[*Config]{
	Rule: rule.Rule{ID: DaemonStorageDriver, Title: "Storage driver is overlay2", Severity: rule.SeverityMedium, CIS: []string{"2.6"},
		Rationale:   "overlay2 is the supported default; aufs and devicemapper are removed, others have weaker isolation or support.",
		Remediation: `Set "storage-driver": "overlay2" on a new data root (changing it hides existing images and containers).`},
	Judge: func(c *Config) rule.Result {
		s, ok := c.String("storage-driver")
		if !ok {
			return rule.Pass("storage driver left to dockerd (overlay2 where supported)", "storage-driver: (default)")
		}
		if s == "overlay2" {
			return rule.Pass("storage driver is overlay2", "storage-driver: overlay2")
		}
		return rule.Fail("storage driver is not overlay2", "storage-driver: "+s)
	},
}
