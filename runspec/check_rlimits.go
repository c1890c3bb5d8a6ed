package runspec

import (
	"fmt"
	"math"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkRlimits binds spec.rlimits to its judge.
var checkRlimits = rule.Check[subject]{
	Rule: rule.Rule{
		ID: SpecRlimits, Title: "Resource limits bound open files and disable core dumps", Severity: rule.SeverityLow, CIS: []string{"2.8"},
		Rationale:   "Without process.rlimits the container inherits the runtime's limits (often 1048576 open files, unlimited core dumps that may hold secrets).",
		Remediation: `Set process.rlimits: RLIMIT_NOFILE with a finite hard limit, RLIMIT_CORE 0 (runspec.WithRlimit).`,
	},
	Judge: judgeRlimits,
}

func findRlimit(spec *specs.Spec, typ string) (specs.POSIXRlimit, bool) {
	if spec == nil || spec.Process == nil {
		return specs.POSIXRlimit{}, false
	}
	for _, r := range spec.Process.Rlimits {
		if r.Type == typ {
			return r, true
		}
	}
	return specs.POSIXRlimit{}, false
}

// applyRlimits sets the limits WithRlimit names, bounds open files with
// policy's default when they are unlimited or unset, and turns core dumps
// off.
func applyRlimits(s *settings, spec *specs.Spec, waived bool) error {
	p := spec.Process
	for _, r := range s.rlimits {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == r.Type })
		p.Rlimits = append(p.Rlimits, r)
	}
	if waived {
		return nil
	}
	if r, ok := findRlimit(spec, "RLIMIT_NOFILE"); !ok || r.Hard == math.MaxUint64 {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == "RLIMIT_NOFILE" })
		p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: policy.DefaultNoFileSoft, Hard: policy.DefaultNoFile})
	}
	if r, ok := findRlimit(spec, "RLIMIT_CORE"); !ok || r.Hard > 0 {
		p.Rlimits = slices.DeleteFunc(p.Rlimits, func(x specs.POSIXRlimit) bool { return x.Type == "RLIMIT_CORE" })
		p.Rlimits = append(p.Rlimits, specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: 0, Hard: 0})
	}
	return nil
}

func judgeRlimits(in subject) rule.Result {
	nofile, ok := findRlimit(in.spec, "RLIMIT_NOFILE")
	switch {
	case ok && nofile.Hard == math.MaxUint64:
		return rule.Fail("open files are unlimited", "process.rlimits RLIMIT_NOFILE hard unlimited")
	case !ok:
		return rule.Warn("no RLIMIT_NOFILE: the runtime's default applies", "process.rlimits lacks RLIMIT_NOFILE")
	}
	if core, ok := findRlimit(in.spec, "RLIMIT_CORE"); ok && core.Hard > 0 {
		return rule.Warn("core dumps are allowed and may hold secrets", fmt.Sprintf("process.rlimits RLIMIT_CORE hard %d", core.Hard))
	}
	return rule.Pass("open files bounded", fmt.Sprintf("process.rlimits RLIMIT_NOFILE %d/%d", nofile.Soft, nofile.Hard))
}
