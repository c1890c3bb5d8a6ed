package runspec

import (
	"errors"

	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// judgeCase is one change to the hardened base spec, the host it is judged
// on, and the status one rule gives it.
type judgeCase struct {
	name string
	edit func(*specs.Spec)
	host hostFacts
	want rule.Status
}

// judgeCases judges, with rule id's check alone, base(t) changed by each
// case: the test every check_*_test.go runs. The rule's breaker (the
// fixture generator of TestFailingFixtures) is always one failing case.
func judgeCases(t *testing.T, id rule.ID, cases []judgeCase) {
	t.Helper()
	c, ok := lookup(id)
	if !ok {
		t.Fatalf("%s: not in the catalog", id)
	}
	brk, ok := breakers[id]
	if !ok {
		t.Fatalf("%s: no breaker", id)
	}
	cases = append(cases, judgeCase{name: "breaker", edit: brk, want: rule.StatusFail})
	for _, tc := range cases {
		spec := base(t)
		if tc.edit != nil {
			tc.edit(spec)
		}
		if res := c.Judge(subject{spec: spec, host: tc.host}); res.Status != tc.want {
			t.Errorf("%s, %s: %s (%s; %s), want %s", id, tc.name, res.Status, res.Reason, res.Detail, tc.want)
		}
	}
}

// applied is a zero spec after Apply with opts, or the test's end.
func applied(t *testing.T, opts ...Option) *specs.Spec {
	t.Helper()
	spec := &specs.Spec{}
	if err := Apply(spec, opts...); err != nil {
		t.Fatal(err)
	}
	return spec
}

func ptr[T any](v T) *T { return &v }

// violates reports whether err wraps a *rule.Violation of rule id.
func violates(err error, id rule.ID) bool {
	var v *rule.Violation
	return errors.As(err, &v) && v.Rule == id
}
