package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

func TestPidsLimit(t *testing.T) {
	limit := func(n int64) func(s *Subject) { return hc(func(hc *container.HostConfig) { hc.PidsLimit = &n }) }
	judgeCases(t, checkPidsLimit, []judgeCase{
		{"unset", nil, rule.StatusFail},
		{"unlimited (-1)", limit(-1), rule.StatusFail},
		{"zero", limit(0), rule.StatusFail},
		{"100", limit(100), rule.StatusPass},
	})
}
