// Command safedock runs hardened containers and audits Docker hosts.
//
// Usage:
//
//	safedock run [flags] IMAGE [ARG...]
//	safedock audit containers [--all] [--format text|json]
//
// Run "safedock help" for every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// command is one top-level subcommand. Each lives in its own file and
// registers itself from init, so the dispatcher never changes.
type command struct {
	name    string
	summary string
	// run gets the arguments after the command name and returns the exit code.
	run func(ctx context.Context, env *env, args []string) int
	// ownHelp: the command answers -h/--help itself (its arguments after
	// the image belong to the container, so only its flag parsing can tell
	// a help flag from a container argument).
	ownHelp bool
}

// env is what a command may touch: its output streams and the environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("safedock: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	tuneRuntime(os.Args[1:], os.Getenv)
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go watchSignals(sigs, cancel, os.Stderr, os.Exit)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	os.Exit(code)
}

// signalError is the cause of a command's context cancelled by a signal.
type signalError struct{ sig os.Signal }

func (s signalError) Error() string { return "interrupted by " + s.sig.String() }

// signalExit is the exit code for a command ended by sig: 128 + its number
// (130 for SIGINT, 143 for SIGTERM), as shells report it.
func signalExit(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// interrupted returns the exit code for a command whose context a signal
// cancelled, and whether it was one.
func interrupted(ctx context.Context) (int, bool) {
	var s signalError
	if errors.As(context.Cause(ctx), &s) {
		return signalExit(s.sig), true
	}
	if ctx.Err() != nil {
		return 130, true
	}
	return 0, false
}

// watchSignals makes the first SIGINT or SIGTERM cancel the command's
// context (it then cleans up and returns) and a second one end the
// process at once, saying what may be left (see setLeftover).
func watchSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	first := <-sigs
	cancel(signalError{first})
	second := <-sigs
	msg := "safedock: " + second.String() + " again: exiting now"
	if l := leftover(); l != "" {
		msg += "; cleanup did not finish, " + l
	}
	fmt.Fprintln(stderr, msg)
	exit(signalExit(second))
}

var pending struct {
	mu   sync.Mutex
	note string
}

// setLeftover records what an exit right now would leave behind ("" for
// nothing), for the message of a second signal.
func setLeftover(note string) {
	pending.mu.Lock()
	pending.note = note
	pending.mu.Unlock()
}

func leftover() string {
	pending.mu.Lock()
	defer pending.mu.Unlock()
	return pending.note
}

// gcPercent is the garbage collector's target for this short-lived
// process: a whole-host audit allocates a few megabytes per hundred
// containers and exits, so collecting at 5x the live heap instead of 2x
// saves most collections for little memory (bench/RESULTS.md has the
// figures). GOGC, when set, wins.
const gcPercent = 400

// tuneRuntime sets the Go runtime up for this short-lived process. An audit
// of a local daemon also leaves half the CPUs to the daemon (GOMAXPROCS,
// when set, wins): every inspect costs dockerd about as much CPU as decoding
// its answer costs us, so on a small machine more of our threads only take
// CPU from the daemon we wait for, and spin while waiting.
func tuneRuntime(args []string, getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if len(args) > 0 && args[0] == "audit" && getenv("GOMAXPROCS") == "" && !remoteHost(getenv("DOCKER_HOST")) {
		runtime.GOMAXPROCS(max(1, runtime.GOMAXPROCS(0)/2))
	}
}

// remoteHost reports whether DOCKER_HOST names a daemon on another machine.
func remoteHost(h string) bool {
	return strings.HasPrefix(h, "tcp://") || strings.HasPrefix(h, "ssh://")
}

// Exit codes shared by all commands.
const (
	exitOK       = 0
	exitFindings = 1 // the check found what it looks for (failures, a file dockerd would refuse)
	exitUsage    = 2
	exitError    = 3 // could not do the work (daemon unreachable, unreadable file)
)

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	if args[0] == "--version" {
		return runVersion(ctx, e, args[1:])
	}
	if args[0] == "help" || isHelpToken(args[0]) {
		if len(args) > 1 && args[0] == "help" {
			// safedock help CMD [SUB]: the command's help.
			if c, ok := commands[args[1]]; ok {
				return commandHelp(ctx, e, c, append(args[2:], "--help"))
			}
		}
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "safedock: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	if !c.ownHelp && wantsHelp(args[1:]) {
		return helpFor(ctx, e, c, args[1:])
	}
	return c.run(ctx, e, args[1:])
}

// commandHelp shows the help of c (args end with --help).
func commandHelp(ctx context.Context, e *env, c command, args []string) int {
	if c.ownHelp {
		return c.run(ctx, e, args)
	}
	return helpFor(ctx, e, c, args)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "safedock: the safe way to run Docker, made the easy way.")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-15s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"safedock CMD --help\" for a command's flags, \"safedock version\" for the build.")
}
