package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/safedock/safedock/internal/profileflags"
)

// repeatedFlag is a repeatable string flag (-p 1 -p 2).
type repeatedFlag = profileflags.List

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// usageErr prints a usage error and returns the usage exit code.
func usageErr(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "safedock %s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitUsage
}
