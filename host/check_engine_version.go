package host

import (
	"fmt"
	"strings"
	"time"

	"github.com/safedock/safedock/rule"
)

// checkEngineVersion binds host.engine-version to its judge.
var checkEngineVersion = rule.Check[*env]{
	Rule: rule.Rule{ID: HostEngineVersion, Title: "the Docker Engine version is maintained", Severity: rule.SeverityHigh, CIS: []string{"1.2.2"},
		Rationale:   "Unmaintained engine releases get no security fixes (the seed's 1.12.1 ended in 2017; 20.10 ended 2023-12-10).",
		Remediation: "Upgrade to a maintained Docker Engine series (see the table's Updated date and https://docs.docker.com/engine/release-notes/)."},
	Judge: judgeEngineVersion,
}

// judgeEngineVersion judges host.engine-version.
func judgeEngineVersion(e *env) rule.Result {
	t := engineVersions
	if e.in.Info == nil || e.in.Info.ServerVersion == "" {
		return rule.Skip("engine version unknown: no daemon info")
	}
	v := e.in.Info.ServerVersion
	age := t.Age(e.in.Now)
	tableNote := fmt.Sprintf("supported-versions table updated %s", t.Updated)
	stale := age > 180*24*time.Hour
	if stale {
		tableNote += fmt.Sprintf(" (%d days ago: update safedock for current facts)", int(age.Hours()/24))
	}
	s, ok, err := t.Lookup(v)
	if err != nil {
		return rule.Skip(err.Error())
	}
	if !ok {
		maj, _, _ := ParseEngineVersion(v)
		if maj > t.newest() {
			return rule.Warn(fmt.Sprintf("engine %s is newer than the table knows", v), tableNote)
		}
		return rule.Fail(fmt.Sprintf("engine %s is older than every series the table lists, all long unmaintained", v), tableNote)
	}
	detail := fmt.Sprintf("series %s: %s", s.Series, s.Status)
	if s.EOL != "" {
		detail += ", end of life " + s.EOL
	}
	if s.Latest != "" {
		detail += ", latest " + s.Latest
	}
	if s.Note != "" {
		detail += "; " + s.Note
	}
	if strings.Contains(v, "+") || strings.Contains(v, "~") {
		detail += "; this is a distribution build, which may carry backported fixes, but upstream support follows the series"
	}
	detail += "; " + tableNote
	switch s.Status {
	case Maintained:
		if stale {
			return rule.Warn(fmt.Sprintf("engine %s was maintained when the table was last updated", v), detail)
		}
		return rule.Pass(fmt.Sprintf("engine %s is in maintained series %s", v, s.Series), detail)
	case Downstream:
		return rule.Warn(fmt.Sprintf("engine %s: series %s is maintained only by a downstream distributor", v, s.Series), detail)
	}
	return rule.Fail(fmt.Sprintf("engine %s: series %s is unmaintained", v, s.Series), detail)
}
