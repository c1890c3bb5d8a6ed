package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/safedock/safedock/cmd/cliflags"
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

// cliViolations prints the refusal in err for the command line (see
// cliflags.Refusal: one line per violation, suggesting --waive
// RULE=REASON) and reports whether err held a violation.
func cliViolations(w io.Writer, cmd string, err error) bool {
	text, ok := cliflags.Refusal("safedock "+cmd, err)
	if ok {
		fmt.Fprint(w, text)
	}
	return ok
}
