package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/runspec"
)

func init() {
	register(command{
		name:    "runspec",
		summary: "harden or check an OCI runtime config.json (runspec harden|check BUNDLE_OR_FILE)",
		run:     runRunspec,
	})
}

const runspecUsage = `usage:
  safedock runspec harden BUNDLE_OR_FILE [--write] [options]
  safedock runspec check  BUNDLE_OR_FILE [--format text|json|sarif|html] [--passed] [--benchmark cis-1.8.0]

harden prints the hardened config.json, or with --write replaces the file
atomically (keeping its mode and owner) after saving a backup next to it,
with the original's mode, from the bytes that were read: a config.json that
is a symlink, hard-linked, or swapped while being hardened is refused.
check exits 1 when a rule fails, 3 when the file cannot be read.`

func runRunspec(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, runspecUsage)
		return exitUsage
	}
	switch args[0] {
	case "harden":
		return runspecHarden(ctx, e, args[1:])
	case "check":
		return runspecCheck(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "safedock runspec: unknown subcommand %q\n\n%s\n", args[0], runspecUsage)
	return exitUsage
}

// parseInterspersed parses flags that may come before or after the one
// positional argument.
func parseInterspersed(fset *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		if fset.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fset.Arg(0))
		args = fset.Args()[1:]
	}
}

func runspecCheck(ctx context.Context, e *env, args []string) int {
	fset := newFlagSet("safedock runspec check", nil)
	fset.SetOutput(e.stderr)
	format := fset.String("format", "text", "output format: text or json")
	passed := fset.Bool("passed", false, "list passing rules in text output")
	benchmark := benchmarkFlag(fset)
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return exitUsage
	}
	f, err := report.ParseFormat(*format)
	if err != nil || len(pos) != 1 {
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock runspec check:", err)
		}
		fmt.Fprintln(e.stderr, runspecUsage)
		return exitUsage
	}
	bench, code, ok := parseBenchmark(e, "runspec check", *benchmark)
	if !ok {
		return code
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(e.stderr, "safedock runspec check:", err)
		return exitError
	}
	rep, err := runspec.CheckFile(pos[0])
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock:", err)
		return exitError
	}
	if err := report.Write(e.stdout, stampReport(rep, bench, "", nil), f, reportOptions(*passed)); err != nil {
		fmt.Fprintln(e.stderr, "safedock:", err)
		return exitError
	}
	if rep.Summary.Fail > 0 {
		return exitFindings
	}
	return exitOK
}

func runspecHarden(ctx context.Context, e *env, args []string) int {
	fset := newFlagSet("safedock runspec harden", nil)
	fset.SetOutput(e.stderr)
	write := fset.Bool("write", false, "replace the config.json (a backup is kept next to it)")
	user := fset.String("user", "", "uid:gid to run as (default: keep a non-root user, else 65534:65534)")
	pids := fset.Int64("pids-limit", 0, "PIDs limit (default 256)")
	memory := fset.Int64("memory", 0, "memory limit in bytes (default 512 MiB)")
	cpu := fset.Uint64("cpu-shares", 0, "CPU shares (default 512)")
	var caps, tmpfs, waive repeatedFlag
	fset.Var(&caps, "cap-add", "capability to keep, e.g. NET_BIND_SERVICE (repeatable)")
	fset.Var(&tmpfs, "tmpfs", "PATH[:SIZE_BYTES] writable tmpfs, nosuid,nodev,noexec (repeatable; default size 64 MiB)")
	fset.Var(&waive, "waive", "RULE_ID=REASON: loosen one rule deliberately (repeatable)")
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, runspecUsage)
		return exitUsage
	}
	var opts []runspec.Option
	if *user != "" {
		var uid, gid uint32
		if _, err := fmt.Sscanf(*user, "%d:%d", &uid, &gid); err != nil {
			fmt.Fprintf(e.stderr, "safedock runspec harden: --user %q: want UID:GID\n", *user)
			return exitUsage
		}
		opts = append(opts, runspec.WithUser(*user))
	}
	if *pids != 0 {
		opts = append(opts, runspec.WithPidsLimit(*pids))
	}
	if *memory != 0 {
		opts = append(opts, runspec.WithMemory(*memory))
	}
	if *cpu != 0 {
		opts = append(opts, runspec.WithCPUShares(*cpu))
	}
	if len(caps) > 0 {
		opts = append(opts, runspec.WithAddedCapabilities(caps...))
	}
	for _, t := range tmpfs {
		p, size := t, policy.DefaultTmpfsSize
		if i := strings.LastIndex(t, ":"); i > 0 {
			p = t[:i]
			if _, err := fmt.Sscanf(t[i+1:], "%d", &size); err != nil {
				fmt.Fprintf(e.stderr, "safedock runspec harden: --tmpfs %q: size must be bytes\n", t)
				return exitUsage
			}
		}
		opts = append(opts, runspec.WithTmpfs(p, size))
	}
	for _, w := range waive {
		id, reason, ok := strings.Cut(w, "=")
		if !ok {
			fmt.Fprintf(e.stderr, "safedock runspec harden: --waive %q: want RULE_ID=REASON\n", w)
			return exitUsage
		}
		opts = append(opts, runspec.Waive(rule.ID(id), reason))
	}

	path, err := runspec.ConfigPath(pos[0])
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock:", err)
		return exitError
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(e.stderr, "safedock runspec harden:", err)
		return exitError
	}
	// One read, through a descriptor that does not follow symlinks, serves
	// both the hardening and (with --write) the backup.
	var f *hostfs.File
	var data []byte
	if *write {
		f, err = hostfs.OpenForReplace(path, runspec.MaxConfigSize)
		if err == nil && !f.Exists {
			err = fmt.Errorf("reading %s: %w", path, os.ErrNotExist)
		}
		if f != nil {
			defer f.Close()
			data = f.Data
		}
	} else {
		data, _, err = hostfs.ReadFile(path, runspec.MaxConfigSize)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock runspec harden:", err)
		return exitError
	}
	spec, err := runspec.ReadConfig(bytes.NewReader(data))
	if err != nil {
		fmt.Fprintf(e.stderr, "safedock: %s: %v\n", path, err)
		return exitError
	}
	if err := runspec.Apply(spec, opts...); err != nil {
		fmt.Fprintln(e.stderr, "safedock:", err)
		var v *rule.Violation
		if errors.As(err, &v) {
			return exitFindings
		}
		return exitUsage
	}
	out, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock: encoding config:", err)
		return exitError
	}
	out = append(out, '\n')
	if !*write {
		if _, err := e.stdout.Write(out); err != nil {
			return exitError
		}
		return exitOK
	}
	if testHookBeforeRunspecWrite != nil {
		testHookBeforeRunspecWrite(path)
	}
	backup := fmt.Sprintf("%s.%s.bak", filepath.Base(path), time.Now().UTC().Format("20060102T150405.000000000"))
	res, err := f.Replace(out, hostfs.ReplaceOptions{Backup: backup})
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock runspec harden:", err)
		return exitError
	}
	fmt.Fprintf(e.stdout, "hardened %s (mode %04o, owner %d:%d kept; backup: %s)\n", path, res.Perm, res.UID, res.GID, res.Backup)
	return exitOK
}

// testHookBeforeRunspecWrite, when set by a test, runs after the config was
// read and hardened and before the file is replaced.
var testHookBeforeRunspecWrite func(path string)
