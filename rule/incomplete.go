package rule

import (
	"errors"
	"fmt"
	"strings"
)

// ErrIncomplete matches (with errors.Is) every error that says an audit did
// not examine everything it was asked to: a report returned with it is
// partial and must never be read as clean.
var ErrIncomplete = errors.New("audit incomplete")

// IncompleteError says how many of an audit's targets could not be
// examined, and why. An audit that returns it also returns the findings of
// the targets it did examine. Use errors.As to get at the counts;
// errors.Is(err, ErrIncomplete) is true, and so is errors.Is for each of the
// underlying errors (context.DeadlineExceeded after a timeout, for example).
type IncompleteError struct {
	// What names the targets, plural: "containers", "images".
	What string
	// Verb says what could not be done to them (default "inspected").
	Verb string
	// Failed of Total targets could not be examined. Total is 0 when the
	// audit did not get as far as listing them.
	Failed, Total int
	// Errs are the reasons, one per failed target (or one for the whole
	// audit when it could not list its targets).
	Errs []error
}

// maxListedErrs bounds how many reasons Error spells out.
const maxListedErrs = 3

// Error says "3 of 40 containers could not be inspected: ..." with the first
// few reasons.
func (e *IncompleteError) Error() string {
	var b strings.Builder
	what := e.What
	if what == "" {
		what = "targets"
	}
	verb := e.Verb
	if verb == "" {
		verb = "inspected"
	}
	if e.Total > 0 {
		fmt.Fprintf(&b, "%d of %d %s could not be %s", e.Failed, e.Total, what, verb)
	} else {
		fmt.Fprintf(&b, "%s could not be %s", what, verb)
	}
	for i, err := range e.Errs {
		if i == maxListedErrs {
			fmt.Fprintf(&b, "; and %d more", len(e.Errs)-maxListedErrs)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns ErrIncomplete and every reason.
func (e *IncompleteError) Unwrap() []error {
	return append([]error{ErrIncomplete}, e.Errs...)
}

// Gap is one part of a report that is missing: a section that could not
// run, or the targets of a section that could not be examined. A report
// with gaps is incomplete, whatever its findings say.
type Gap struct {
	// Section names the part of the audit ("containers", "daemon").
	Section string `json:"section"`
	// Failed of Total targets were not examined; both are 0 when the whole
	// section is missing.
	Failed int `json:"failed,omitempty"`
	Total  int `json:"total,omitempty"`
	// Reason says why, for a person.
	Reason string `json:"reason"`
}

// GapFrom describes err as the gap it leaves in section: the counts of an
// IncompleteError when err holds one, else the whole section.
func GapFrom(section string, err error) Gap {
	g := Gap{Section: section, Reason: err.Error()}
	var inc *IncompleteError
	if errors.As(err, &inc) {
		g.Failed, g.Total = inc.Failed, inc.Total
	}
	return g
}

// WithGaps returns r with gaps added: r.Incomplete lists them and
// r.Summary.Incomplete is set.
func (r Report) WithGaps(gaps ...Gap) Report {
	if len(gaps) == 0 {
		return r
	}
	r.Incomplete = append(append([]Gap(nil), r.Incomplete...), gaps...)
	r.Summary.Incomplete = true
	return r
}

// Complete reports whether r has no gaps.
func (r Report) Complete() bool { return len(r.Incomplete) == 0 && !r.Summary.Incomplete }
