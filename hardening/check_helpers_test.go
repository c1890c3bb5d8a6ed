package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// judgeCase is a subject, as a change to a plain one, and the status one
// rule gives it.
type judgeCase struct {
	name string
	edit func(s *Subject)
	want rule.Status
}

// plainSubject is a container that sets nothing, on a host with every
// optional facility (hostAll).
func plainSubject() *Subject {
	return &Subject{Name: "/plain", Config: &container.Config{}, HostConfig: &container.HostConfig{}, Host: hostAll}
}

// judgeCases judges each case's subject with c and checks its status, the
// test every check_*_test.go of a one-rule file runs.
func judgeCases(t *testing.T, c rule.Check[*Subject], cases []judgeCase) {
	t.Helper()
	for _, tc := range cases {
		s := plainSubject()
		if tc.edit != nil {
			tc.edit(s)
		}
		if r := c.Judge(s); r.Status != tc.want {
			t.Errorf("%s, %s: %s (%s; %s), want %s", c.Rule.ID, tc.name, r.Status, r.Reason, r.Detail, tc.want)
		}
	}
}

// hc returns an edit that changes the subject's HostConfig.
func hc(f func(hc *container.HostConfig)) func(s *Subject) {
	return func(s *Subject) { f(s.HostConfig) }
}
