package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{name: "run", summary: "run a hardened container: safedock run [flags] IMAGE [ARG...]", run: runRun, ownHelp: true})
}

func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("run", e.stderr)
	var name string
	var detach bool
	fs.StringVar(&name, "name", "", "container name")
	fs.BoolVar(&detach, "detach", false, "run in the background and print the container ID")
	fs.BoolVar(&detach, "d", false, "shorthand for --detach")
	var timeout time.Duration
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "how long creating and starting the container may take (not the run itself)")
	profile := cliflags.Register(fs, cliflags.Config{Network: hardening.DefaultNetwork, Volumes: true, Service: true})
	const header = "usage: safedock run [flags] IMAGE [ARG...]\n\nRuns IMAGE hardened: all capabilities dropped, read-only root, no-new-privileges,\n" +
		"seccomp, limits, restart on-failure:5, on an isolated network. -h is --hostname, as in docker run;\n" +
		"--help (or -h alone) shows this help. A rule is loosened only with --waive RULE=REASON."
	fs.Usage = func() {} // the help goes to stdout, on request
	if len(args) == 1 && args[0] == "-h" {
		printHelp(e.stdout, header, fs)
		return exitOK
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, header, fs)
			return exitOK
		}
		fmt.Fprintln(e.stderr, "see: safedock run --help")
		return exitUsage
	}
	if fs.NArg() < 1 {
		return usageErr(e, "run", "no image given (usage: safedock run [flags] IMAGE [ARG...])")
	}
	image := fs.Arg(0)
	opts, err := profile.ContainerOptions(fs.Args()[1:])
	if err != nil {
		return usageErr(e, "run", "%v", err)
	}
	if name != "" {
		opts = append(opts, hardening.WithName(name))
	}
	// Input errors (a malformed flag value) are reported before the
	// daemon is asked anything; the rules are judged by the launch.
	if _, err := hardening.Build(checkImage, opts...); errors.Is(err, hardening.ErrInvalidSpec) {
		return usageErr(e, "run", "%v", err)
	}

	if timeout <= 0 {
		return usageErr(e, "run", "--timeout %s: want a positive duration", timeout)
	}
	launch := hardening.NewLaunchID()
	opts = append(opts, hardening.WithLaunchID(launch))

	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock run:", err)
		return exitError
	}
	defer cli.Close()
	setLeftover(launchLeftover(launch))
	defer setLeftover("")
	// The deadline covers creating and starting, not the run itself.
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if dl, ok := lctx.Deadline(); ok {
		// Start runs under the same deadline: a container still only
		// created after it was abandoned, and a later launch removes it.
		opts = append(opts, hardening.WithStartBy(dl))
	}
	c, err := hardening.Create(lctx, cli, image, opts...)
	var wait func() (int64, error)
	if err == nil {
		// Register the wait before starting: a container that exits at once
		// and is restarted by its policy must not be missed.
		wait = c.WaitNext(ctx)
		err = c.Start(lctx)
	}
	if err != nil {
		return launchFailed(ctx, lctx, e, "run", timeout, err)
	}
	setLeftover(fmt.Sprintf("container %s (%s) may still be running", c.Name, c.ID))
	digest := c.ImageDigest
	if digest == "" {
		digest = "no repository digest"
	}
	fmt.Fprintf(e.stderr, "safedock: started %s from %s (%s; %s)\n", c.Name, image, c.ImageID, digest)
	if detach {
		setLeftover("")
		fmt.Fprintln(e.stdout, c.ID)
		return exitOK
	}
	// The log stream is cancelled before run returns, so nothing writes to
	// stdout or stderr after it (a restart policy can keep a followed
	// stream open past the exit).
	logsCtx, stopLogs := context.WithCancel(ctx)
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		_ = c.Logs(logsCtx, e.stdout, e.stderr, true)
	}()
	defer func() {
		stopLogs()
		<-logsDone
	}()
	code, err := wait()
	if err != nil {
		if code, ok := interrupted(ctx); ok {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			if err := c.Stop(sctx, 10*time.Second); err != nil {
				fmt.Fprintf(e.stderr, "safedock run: interrupted; %v\n", err)
			} else {
				fmt.Fprintf(e.stderr, "safedock run: interrupted; stopped %s\n", c.Name)
			}
			return code
		}
		fmt.Fprintln(e.stderr, "safedock run:", err)
		return exitError
	}
	select {
	case <-logsDone:
	case <-time.After(2 * time.Second):
	}
	return int(code)
}

// checkImage is a placeholder image ID for checking flag values before
// the image is resolved.
const checkImage = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// launchLeftover says what an interrupted launch with this launch ID may
// leave, and how to remove it.
func launchLeftover(id string) string {
	l := hardening.LabelLaunch + "=" + id
	return "objects labelled " + l + " may be left: docker rm -f $(docker ps -aq --filter label=" + l +
		"); docker network rm $(docker network ls -q --filter label=" + l + ")"
}

// launchFailed reports a failed launch or deploy and returns its exit code:
// 130/143 when a signal interrupted it, exitError with a clear message when
// the daemon did not answer within timeout (lctx expired), exitUsage for a
// rule violation or an invalid spec, exitError otherwise.
func launchFailed(ctx, lctx context.Context, e *env, cmd string, timeout time.Duration, err error) int {
	if code, ok := interrupted(ctx); ok {
		fmt.Fprintf(e.stderr, "safedock %s: interrupted: %v\n", cmd, err)
		return code
	}
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(lctx.Err(), context.DeadlineExceeded) {
		fmt.Fprintf(e.stderr, "safedock %s: the Docker daemon did not answer within %s: %v\n", cmd, timeout, err)
		return exitError
	}
	if !cliViolations(e.stderr, cmd, err) {
		fmt.Fprintf(e.stderr, "safedock %s: %v\n", cmd, err)
	}
	var v *rule.Violation
	if errors.As(err, &v) || errors.Is(err, hardening.ErrInvalidSpec) {
		return exitUsage
	}
	return exitError
}
