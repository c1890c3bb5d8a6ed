package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/safedock/safedock/rule"
)

// helpTokens are the arguments that ask a command for its help.
func isHelpToken(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// wantsHelp reports whether args (after the command name) ask for help:
// "help" first, or -h/-help/--help anywhere before a "--". It is used
// for commands without container arguments; run and swarm deploy, whose
// arguments after the image belong to the container, answer --help
// themselves (the flag package stops at the image).
func wantsHelp(args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpToken(a) {
			return true
		}
	}
	return false
}

// helpFor runs command c with args that ask for help, and shows what it
// prints (its usage, on stderr) on stdout with exit code 0. A command asked
// for help parses its flags and stops: nothing is done.
func helpFor(ctx context.Context, e *env, c command, args []string) int {
	var buf bytes.Buffer
	sub := &env{stdout: &buf, stderr: &buf, getenv: e.getenv}
	code := c.run(ctx, sub, args)
	if code != exitOK && code != exitUsage {
		_, _ = io.Copy(e.stderr, &buf)
		return code
	}
	out := buf.String()
	if strings.TrimSpace(out) == "" {
		out = fmt.Sprintf("safedock %s: %s\n", c.name, c.summary)
	}
	fmt.Fprint(e.stdout, out)
	return exitOK
}

// printHelp writes a command's help: the header, then every flag with its
// default (see printFlags).
func printHelp(w io.Writer, header string, fs *flag.FlagSet) {
	fmt.Fprintln(w, strings.TrimRight(header, "\n"))
	fmt.Fprintln(w, "\nFlags:")
	printFlags(w, fs)
}

// printFlags lists every flag of fs, one per entry, its short and long
// spellings together, with its default (flag.PrintDefaults leaves out the
// zero ones).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	short := map[string]string{} // long name -> short name
	fs.VisitAll(func(f *flag.Flag) {
		if long, ok := strings.CutPrefix(f.Usage, "shorthand for --"); ok {
			short[long] = f.Name
		}
	})
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.HasPrefix(f.Usage, "shorthand for --") {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	for _, n := range names {
		f := fs.Lookup(n)
		typ, usage := flag.UnquoteUsage(f)
		spell := "--" + n
		if len(n) == 1 {
			spell = "-" + n
		}
		if s, ok := short[n]; ok {
			spell = "-" + s + ", " + spell
		}
		if isList(f) {
			typ = "list"
		} else if typ == "value" {
			typ = "string"
		}
		if typ != "" {
			spell += " " + typ
		}
		def := f.DefValue
		switch {
		case def == "" || def == "[]":
			def = `""`
			if isList(f) {
				def = "none"
			}
		case typ == "string":
			def = fmt.Sprintf("%q", def)
		}
		if strings.Contains(usage, "(default") {
			fmt.Fprintf(w, "  %s\n    \t%s\n", spell, usage)
			continue
		}
		fmt.Fprintf(w, "  %s\n    \t%s (default: %s)\n", spell, usage, def)
	}
}

func isList(f *flag.Flag) bool {
	_, ok := f.Value.(*repeatedFlag)
	return ok
}

// cliViolations rewrites the library's refusal text for the command
// line: each *rule.Violation is printed on its own line, and its
// suggestion Waive("RULE", reason) becomes --waive RULE=REASON. It returns
// false when err holds no violation.
func cliViolations(w io.Writer, cmd string, err error) bool {
	vs := rule.Violations(err)
	if len(vs) == 0 {
		return false
	}
	fmt.Fprintf(w, "safedock %s: refused: %d rule(s) broken:\n", cmd, len(vs))
	for _, v := range vs {
		fmt.Fprintf(w, "  %s\n", cliText(v))
	}
	// Errors in the tree that are not violations (e.g. a cleanup that
	// failed) are still shown.
	if rest := nonViolations(err); rest != "" {
		fmt.Fprintf(w, "safedock %s: also: %s\n", cmd, rest)
	}
	return true
}

// cliText is a violation's text with the flag spelling of its waiver.
func cliText(v *rule.Violation) string {
	msg := fmt.Sprintf("%s: %s", v.Rule, v.Reason)
	if v.Detail != "" {
		msg += " (" + v.Detail + ")"
	}
	fix := v.Fix
	for _, p := range []string{"Waive", "WaiveService"} {
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

// nonViolations joins the messages of the leaves of err's tree that are
// not violations, or "" when there are none.
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
			if u := errors.Unwrap(e); u != nil {
				if len(rule.Violations(u)) > 0 {
					walk(u)
					return
				}
			}
			if len(rule.Violations(e)) == 0 {
				out = append(out, e.Error())
			}
		}
	}
	walk(err)
	return strings.Join(out, "; ")
}
