package rule

import (
	"errors"
	"fmt"
)

// Check is the one shape that binds a rule to the function that judges it.
// Every catalog in safedock is a Checks of its own subject type: S is what
// one judgement looks at (a container's inspect and host facts, an OCI
// spec, a daemon configuration, a file's metadata, the host's facts).
//
// A package declares one Check per rule, in a file of its own next to the
// test of that rule, and lists them in its Checks; the Checks is the only
// place the package's catalog, its audit and its generated documentation
// come from.
type Check[S any] struct {
	// Rule is the rule's metadata. For an ID that means the same thing in
	// several packages (the container rules), take it from the shared
	// catalog with Bind rather than repeating it.
	Rule Rule
	// Judge evaluates the rule on one subject. It must not be nil.
	Judge func(S) Result
}

// Bind makes a Check from the rule with the given ID in cat and judge. An ID
// cat does not hold yields a Check whose Rule carries only the ID, which
// Checks.Validate reports.
func Bind[S any](cat Catalog, id ID, judge func(S) Result) Check[S] {
	r, ok := cat.Lookup(id)
	if !ok {
		r = Rule{ID: id}
	}
	return Check[S]{Rule: r, Judge: judge}
}

// Checks is an ordered catalog of checks on one subject type.
type Checks[S any] []Check[S]

// Validate checks the catalog itself: every rule's metadata is complete
// (Rule.Validate), no ID appears twice, and every rule has a Judge.
// Packages call it from a test and from their own init of the table, so a
// malformed catalog never ships.
func (cs Checks[S]) Validate() error {
	rules := make(Catalog, len(cs)) // read only: no copy of each rule's lists
	for i, c := range cs {
		rules[i] = c.Rule
	}
	errs := []error{rules.Validate()}
	for _, c := range cs {
		if c.Judge == nil {
			errs = append(errs, fmt.Errorf("rule %s: no judge", c.Rule.ID))
		}
	}
	return errors.Join(errs...)
}

// Catalog returns the rules' metadata in order, as a copy the caller may
// change.
func (cs Checks[S]) Catalog() Catalog {
	out := make(Catalog, len(cs))
	for i, c := range cs {
		out[i] = c.Rule
	}
	return out.Clone()
}

// Lookup returns the check with the given ID.
func (cs Checks[S]) Lookup(id ID) (Check[S], bool) {
	for _, c := range cs {
		if c.Rule.ID == id {
			return c, true
		}
	}
	return Check[S]{}, false
}

// Finding evaluates the rule on s and binds the result to target.
func (c Check[S]) Finding(target string, s S) Finding {
	return c.Rule.Finding(target, c.Judge(s))
}

// Evaluate runs every check on s, in catalog order, and returns one finding
// per rule, bound to target. waivers, when not nil, turns the failures and
// warnings of waived rules into waived findings.
func (cs Checks[S]) Evaluate(target string, s S, waivers Waivers) []Finding {
	out := make([]Finding, 0, len(cs))
	for _, c := range cs {
		res := c.Judge(s)
		if waivers != nil {
			res = waivers.Apply(c.Rule.ID, res)
		}
		out = append(out, c.Rule.Finding(target, res))
	}
	return out
}

// MustValidate returns cs when Validate finds nothing wrong and panics
// otherwise. Packages build their catalog with it at init, so a malformed
// catalog fails every test and never ships.
func (cs Checks[S]) MustValidate() Checks[S] {
	if err := cs.Validate(); err != nil {
		panic("invalid rule catalog: " + err.Error())
	}
	return cs
}
