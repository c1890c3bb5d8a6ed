package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func init() {
	register(command{name: "version", summary: "print safedock's module version and VCS revision", run: runVersion})
}

// buildVersion returns the module version ("(devel)" for a build from a
// checkout) and the VCS revision (with "+dirty" when the tree had
// uncommitted changes; "" when the build recorded none), from the build info.
func buildVersion() (version, revision string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown", ""
	}
	version = bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if revision != "" && dirty {
		revision += "+dirty"
	}
	return version, revision
}

func runVersion(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("version", e.stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr(e, "version", "unexpected argument %q", fs.Arg(0))
	}
	v, rev := buildVersion()
	if rev == "" {
		rev = "unknown (not recorded in the build)"
	}
	bi, _ := debug.ReadBuildInfo()
	path, gov := "github.com/safedock/safedock", ""
	if bi != nil {
		if bi.Main.Path != "" {
			path = bi.Main.Path
		}
		gov = bi.GoVersion
	}
	fmt.Fprintf(e.stdout, "safedock %s\nmodule:   %s\nrevision: %s\ngo:       %s\n", v, path, rev, gov)
	return exitOK
}
