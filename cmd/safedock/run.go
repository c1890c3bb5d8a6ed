package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/profileflags"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{name: "run", summary: "run a hardened container: safedock run [flags] IMAGE [ARG...]", run: runRun})
}

func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("run", e.stderr)
	var name string
	var detach bool
	fs.StringVar(&name, "name", "", "container name")
	fs.BoolVar(&detach, "detach", false, "run in the background and print the container ID")
	fs.BoolVar(&detach, "d", false, "shorthand for --detach")
	profile := profileflags.Register(fs, profileflags.Config{Network: hardening.DefaultNetwork, Volumes: true})
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: safedock run [flags] IMAGE [ARG...]\n\nRuns IMAGE hardened: all capabilities dropped, read-only root, no-new-privileges,\nseccomp, limits, restart on-failure:5, on an isolated network. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
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

	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock run:", err)
		return exitError
	}
	defer cli.Close()
	c, err := hardening.Create(ctx, cli, image, opts...)
	var wait func() (int64, error)
	if err == nil {
		// Register the wait before starting: a container that exits at once
		// and is restarted by its policy must not be missed.
		wait = c.WaitNext(ctx)
		err = c.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock run:", err)
		var v *rule.Violation
		if errors.As(err, &v) || errors.Is(err, hardening.ErrInvalidSpec) {
			return exitUsage
		}
		return exitError
	}
	digest := c.ImageDigest
	if digest == "" {
		digest = "no repository digest"
	}
	fmt.Fprintf(e.stderr, "safedock: started %s from %s (%s; %s)\n", c.Name, image, c.ImageID, digest)
	if detach {
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
		if ctx.Err() != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			_ = c.Stop(sctx, 10*time.Second)
			fmt.Fprintf(e.stderr, "safedock run: interrupted; stopped %s\n", c.Name)
			return 130
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
