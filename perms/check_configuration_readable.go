package perms

import (
	"fmt"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// daemonChecks are the rules judged on the daemon's configuration as a
// whole rather than on one file.
var daemonChecks = rule.Checks[hostfs.Daemon]{checkConfigurationReadable}.MustValidate()

// checkConfigurationReadable: the paths of the file rules come from
// daemon.json, so a daemon.json that cannot be read makes them unknown.
var checkConfigurationReadable = rule.Check[hostfs.Daemon]{
	Rule: rule.Rule{ID: FileConfigurationReadable, Title: "the daemon's configuration can be read", Severity: rule.SeverityMedium,
		Rationale:   "File paths come from daemon.json and dockerd's flags; when daemon.json cannot be parsed the TLS files, sockets and data root it names are unknown, so their checks cannot be trusted.",
		Remediation: "Make daemon.json valid JSON with correctly typed keys (package daemonconf validates it in full) and run the check again."},
	Judge: judgeConfigurationReadable,
}

// configFinding is the file.configuration-readable finding of d.
func configFinding(d hostfs.Daemon) rule.Finding {
	return checkConfigurationReadable.Finding("file:"+d.ConfigFile, d)
}

func judgeConfigurationReadable(d hostfs.Daemon) rule.Result {
	switch {
	case d.ConfigErr != nil:
		return rule.Fail("daemon.json could not be read; paths it may name are unknown", d.ConfigErr.Error())
	case !d.ConfigFound:
		res := rule.Pass("no daemon.json; dockerd's defaults and command line apply", "")
		if d.Process != nil {
			res.Detail = fmt.Sprintf("dockerd pid %d", d.Process.PID)
		}
		return res
	}
	return rule.Pass("daemon.json read", "")
}
