package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestRlimits(t *testing.T) {
	judgeCases(t, SpecRlimits, []judgeCase{
		{name: "bounded", want: rule.StatusPass},
		{name: "none", edit: func(s *specs.Spec) { s.Process.Rlimits = nil }, want: rule.StatusWarn},
		{name: "core dumps", edit: func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 1024}, {Type: "RLIMIT_CORE", Hard: 1 << 20}}
		}, want: rule.StatusWarn},
	})
	spec := applied(t)
	if r, ok := findRlimit(spec, "RLIMIT_NOFILE"); !ok || r.Soft != policy.DefaultNoFileSoft || r.Hard != policy.DefaultNoFile {
		t.Errorf("Apply: RLIMIT_NOFILE %+v", r)
	}
	if r, ok := findRlimit(spec, "RLIMIT_CORE"); !ok || r.Hard != 0 {
		t.Errorf("Apply: RLIMIT_CORE %+v", r)
	}
}
