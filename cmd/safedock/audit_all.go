package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moby/moby/api/types/system"
	"golang.org/x/sys/unix"

	"github.com/safedock/safedock"
	"github.com/safedock/safedock/authz"
	"github.com/safedock/safedock/cmd/safedock/internal/earlyinfo"
	"github.com/safedock/safedock/internal/inspect"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

// runAuditAll is "safedock audit [flags]": every section, one report.
func runAuditAll(ctx context.Context, e *env, args []string) int {
	return runWholeAudit(ctx, e, "audit", args, nil)
}

// runWholeAudit is the one code path of "safedock audit" and of the
// section commands that are the same audit restricted to one section
// ("safedock audit containers" is "safedock audit --only containers"):
// same flags, same findings, same methods, same exit codes.
//
// Exit codes: 0 clean; 1 a finding failed at or above --fail-on; 2 a usage
// error (a malformed --waivers file included); 3 incomplete: a section could
// not run, a target could not be inspected, --timeout expired, or the
// audit was interrupted (SIGINT/SIGTERM cancel the context: what finished
// is printed, the rest is marked incomplete, and the exit code is 3, not
// 130, so that scripts see one code for "did not look at everything").
func runWholeAudit(ctx context.Context, e *env, name string, args []string, fixed []safedock.Section) int {
	fs := newFlagSet(name, e.stderr)
	var only, skip, root, trusted *string
	if fixed == nil {
		only = fs.String("only", "", "comma-separated sections to run (host,auditd,daemon,files,images,containers)")
		skip = fs.String("skip", "", "comma-separated sections to leave out")
		root = fs.String("root", "/", "examine the tree under DIR as if it were / (host, auditd, daemon and files sections)")
		trusted = fs.String("trusted", "", "comma-separated users allowed in the Docker socket's group")
	}
	failOn := fs.String("fail-on", "info", "exit 1 when a finding fails at or above this severity (info, low, medium, high, critical)")
	format := fs.String("format", "text", "output format: text, json, sarif or html (one self-contained page)")
	benchmark := benchmarkFlag(fs)
	all := fs.Bool("all", false, "include stopped containers")
	fs.BoolVar(all, "a", false, "shorthand for --all")
	passed := fs.Bool("passed", false, "show passing findings in text output")
	conc := fs.Int("concurrency", 0, "inspects in flight (0: 2 per CPU, at most 8)")
	timeout := fs.Duration("timeout", 60*time.Second, "bound the whole audit; on expiry print what finished, mark the rest incomplete and exit 3 (0: no bound)")
	waivers := fs.String("waivers", "", "approved-waivers `FILE` (YAML): label waivers it does not approve fail")
	fs.Usage = func() {
		if fixed == nil {
			fmt.Fprintln(e.stderr, "usage: safedock audit [flags]            audit the whole host\n       safedock audit SECTION [flags]    one section (containers, host)")
		} else {
			fmt.Fprintf(e.stderr, "usage: safedock %s [flags]    (the same as safedock audit --only %s)\n", name, fixed[0])
		}
		fmt.Fprintln(e.stderr, "\nExit codes: 0 clean, 1 findings failed, 2 usage, 3 incomplete (timeout, interrupt, daemon errors).\n\nFlags:")
		printFlags(e.stderr, fs)
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr(e, name, "unexpected argument %q (sections go in --only)", fs.Arg(0))
	}
	sev, err := rule.ParseSeverity(*failOn)
	if err != nil {
		return usageErr(e, name, "--fail-on: %v", err)
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return usageErr(e, name, "%v", err)
	}
	bench, code, ok := parseBenchmark(e, name, *benchmark)
	if !ok {
		return code
	}
	if *timeout < 0 {
		return usageErr(e, name, "--timeout must not be negative")
	}
	opts := safedock.Options{All: *all, Concurrency: *conc, Only: fixed}
	if fixed == nil {
		opts.Root = *root
		for _, list := range []struct {
			flag string
			dst  *[]safedock.Section
		}{{*only, &opts.Only}, {*skip, &opts.Skip}} {
			for _, s := range splitList(list.flag) {
				sec, err := safedock.ParseSection(s)
				if err != nil {
					return usageErr(e, name, "%v", err)
				}
				*list.dst = append(*list.dst, sec)
			}
		}
		opts.TrustedUsers = splitList(*trusted)
	}
	if *waivers != "" {
		wf, err := readWaiverFile(*waivers)
		if err != nil {
			return usageErr(e, name, "--waivers: %v", err)
		}
		opts.Waivers = wf
	}
	var earlySent func() // SAFEDOCK_STATS counts the early /info
	opts.EarlyInfo = func(ctx context.Context, host string) (*system.Info, string, error) {
		return takeEarlyInfo(ctx, host, earlySent)
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}

	if e.getenv(statsEnv) == "1" {
		var calls atomic.Int64
		cli, err := countingDockerClient(&calls)
		if err != nil {
			fmt.Fprintf(e.stderr, "safedock %s: %v\n", name, err)
			return exitError
		}
		defer cli.Close()
		defer func() { fmt.Fprintf(e.stderr, "api_calls=%d\n", calls.Load()) }()
		opts.Client = cli
		// The inspects take the same fast path as without stats, counted.
		if fi, err := inspect.NewFastInspector(cli, *conc); err == nil {
			defer fi.Close()
			fi.OnRequest = func(*http.Request) { calls.Add(1) }
			opts.Inspector = fi
		}
		earlySent = func() { calls.Add(1) }
	}
	rep, err := safedock.Audit(ctx, opts)
	if err != nil && !errors.Is(err, rule.ErrIncomplete) {
		fmt.Fprintf(e.stderr, "safedock %s: %v\n", name, err)
		return exitError
	}
	rep.Report = stampReport(rep.Report, bench, sev.String(), rep.Report.Host)
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	ro := reportOptions(*passed)
	ro.Sections = rep.Sections
	ro.Colour = isTTY(e.stdout) && e.getenv("NO_COLOR") == ""
	err = report.Write(out, rep.Report, f, ro)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "safedock %s: %v\n", name, err)
		return exitError
	}
	for _, s := range rep.Sections {
		if s.Incomplete || s.Error != "" {
			fmt.Fprintf(e.stderr, "safedock %s: section %s is incomplete: %s\n", name, s.Section, s.Error)
		}
	}
	if rep.Summary.WaivedUnapproved > 0 {
		fmt.Fprintf(e.stderr, "safedock %s: %d finding(s) waived by container labels that no waiver file approves (use --waivers FILE)\n", name, rep.Summary.WaivedUnapproved)
	}
	if rep.Incomplete() {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "safedock %s: stopped before the end (%v): the report is incomplete\n", name, context.Cause(ctx))
		}
		return exitError
	}
	if rep.Failed(sev) {
		return exitFindings
	}
	return exitOK
}

// takeEarlyInfo is the audit's Options.EarlyInfo: the answer to the /info
// request package earlyinfo sent while the program started, if it went to
// daemonHost. sent, when not nil, is called if there was such a request
// (SAFEDOCK_STATS counts it).
func takeEarlyInfo(ctx context.Context, daemonHost string, sent func()) (*system.Info, string, error) {
	socket, ok := strings.CutPrefix(daemonHost, "unix://")
	if !ok {
		return nil, "", errors.New("no early /info request: not a unix socket")
	}
	f := earlyinfo.Take(socket)
	if f == nil {
		return nil, "", fmt.Errorf("no early /info request to %s", daemonHost)
	}
	if sent != nil {
		sent()
	}
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, "", fmt.Errorf("early /info: %w", err)
	}
	return inspect.ReadInfo(ctx, conn)
}

// readWaiverFile reads and parses an approved-waivers file. A FIFO, a
// device or a directory is refused at once (the open does not block).
func readWaiverFile(path string) (*rule.WaiverFile, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	file := os.NewFile(uintptr(fd), path)
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	data, err := io.ReadAll(io.LimitReader(file, rule.MaxWaiverFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return rule.ParseWaivers(data, path, waiverCatalog())
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// waiverCatalog is every rule a waiver file may name: the whole-host
// audit's and the authorization plugin's, so that one approved file serves
// safedock audit --waivers and safedock authz serve --waivers alike.
func waiverCatalog() rule.Catalog {
	return slices.Concat(safedock.Rules(), authz.Rules())
}
