package cliflags

import (
	"errors"
	"fmt"
	"strings"

	"github.com/safedock/safedock/rule"
)

// Refusal renders a refused launch for the command line: one line per
// *rule.Violation in err, its suggestion Waive("RULE", reason) rewritten
// as the flag --waive RULE=REASON, then any error in err that is not a
// violation. ok is false when err holds no violation.
func Refusal(cmd string, err error) (text string, ok bool) {
	vs := rule.Violations(err)
	if len(vs) == 0 {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: refused: %d rule(s) broken:\n", cmd, len(vs))
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s\n", ViolationText(v))
	}
	if rest := nonViolations(err); rest != "" {
		fmt.Fprintf(&b, "%s: also: %s\n", cmd, rest)
	}
	return b.String(), true
}

// ViolationText is a violation's text with the flag spelling of its waiver.
func ViolationText(v *rule.Violation) string {
	msg := fmt.Sprintf("%s: %s", v.Rule, v.Reason)
	if v.Detail != "" {
		msg += " (" + v.Detail + ")"
	}
	fix := v.Fix
	for _, p := range []string{"swarm.Waive", "Waive"} {
		lib := p + "(\"" + string(v.Rule) + "\", reason)"
		fix = strings.ReplaceAll(fix, lib, "--waive "+string(v.Rule)+"=REASON")
	}
	fix = strings.ReplaceAll(fix, "Or waive it: --waive", "Or waive it with --waive")
	if !strings.Contains(fix, "--waive") {
		if fix != "" && !strings.HasSuffix(fix, ".") {
			fix += "."
		}
		fix = strings.TrimSpace(fix + " Or waive it with --waive " + string(v.Rule) + "=REASON.")
	}
	return msg + "; " + fix
}

// nonViolations joins the messages of the errors in err's tree that hold
// no violation, or "" when there are none.
func nonViolations(err error) string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *rule.Violation:
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		default:
			if u := errors.Unwrap(e); u != nil && len(rule.Violations(u)) > 0 {
				walk(u)
				return
			}
			if len(rule.Violations(e)) == 0 {
				out = append(out, e.Error())
			}
		}
	}
	walk(err)
	return strings.Join(out, "; ")
}
