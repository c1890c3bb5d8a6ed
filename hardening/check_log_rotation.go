package hardening

import (
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// checkLogRotation binds container.log-rotation to its judge.
var checkLogRotation = rule.Bind(containerRules, rule.ContainerLogRotation, judgeLogRotation)

// applyLogRotation is the builder's default for container.log-rotation:
// json-file, rotated at 10 MB, three files kept.
func applyLogRotation(sp *Spec) {
	sp.HostConfig.LogConfig = container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m", "max-file": "3"}}
}

// remoteLogDrivers ship logs off the host (or to a rotating journal).
var remoteLogDrivers = []string{"fluentd", "gelf", "awslogs", "splunk", "gcplogs", "logentries", "etwlogs", "journald", "loki"}

// judgeLogRotation judges the log config dockerd applies: the
// container's, or the daemon's default (HostFacts.LogConfig) when it sets no
// driver; a container on the daemon's driver inherits the daemon's options
// it does not set itself, as dockerd merges them at create time.
func judgeLogRotation(s *Subject) rule.Result {
	lc := s.HostConfig.LogConfig
	method := ""
	if d := s.Host.LogConfig; d != nil && d.Type != "" && (lc.Type == "" || lc.Type == d.Type) {
		merged := container.LogConfig{Type: d.Type, Config: map[string]string{}}
		for k, v := range lc.Config {
			merged.Config[k] = v
		}
		inherited := lc.Type == ""
		for k, v := range d.Config {
			if _, set := merged.Config[k]; !set {
				merged.Config[k] = v
				inherited = true
			}
		}
		if inherited {
			lc, method = merged, MethodDaemonDefault
		}
	}
	r := judgeLogConfig(lc)
	r.Method = method
	return r
}

// judgeLogConfig judges one effective log config.
func judgeLogConfig(lc container.LogConfig) rule.Result {
	detail := fmt.Sprintf("LogConfig.Type=%q Config=%v", lc.Type, lc.Config)
	switch lc.Type {
	case "local":
		return rule.Pass("local driver rotates logs", detail)
	case "json-file":
		if lc.Config["max-size"] != "" && lc.Config["max-size"] != "-1" {
			return rule.Pass("json-file with rotation", detail)
		}
		return rule.Fail("json-file logs grow without bound (no max-size)", detail)
	case "syslog":
		if lc.Config["syslog-address"] != "" {
			return rule.Pass("logs shipped to a remote syslog", detail)
		}
		return rule.Warn("syslog without syslog-address logs to the local host only", detail)
	case "none":
		return rule.Warn("logging disabled", detail)
	case "":
		return rule.Skip("log driver is the daemon's default, which is not known here")
	}
	if slices.Contains(remoteLogDrivers, lc.Type) {
		return rule.Pass("logs shipped off the host", detail)
	}
	return rule.Warn("unknown log driver: confirm it rotates or ships logs", detail)
}
