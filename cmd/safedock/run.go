package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{name: "run", summary: "run a hardened container: safedock run [flags] IMAGE [ARG...]", run: runRun})
}

func runRun(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("run", e.stderr)
	var (
		name, user, network, memory, entrypoint string
		pids                                    int64
		detach                                  bool
		caps, publish, volumes, tmpfs, envs     repeatedFlag
		waivers                                 repeatedFlag
	)
	fs.StringVar(&name, "name", "", "container name")
	fs.StringVar(&user, "user", "", "user to run as: uid[:gid] or name[:group] (root needs --waive container.non-root-user=REASON)")
	fs.StringVar(&user, "u", "", "shorthand for --user")
	fs.StringVar(&network, "network", hardening.DefaultNetwork, "network: \"none\", or a user-defined network (created with inter-container traffic disabled)")
	fs.StringVar(&memory, "memory", "", "memory limit, e.g. 256m (default 512m)")
	fs.StringVar(&memory, "m", "", "shorthand for --memory")
	fs.StringVar(&entrypoint, "entrypoint", "", "override the image's entrypoint")
	fs.Int64Var(&pids, "pids-limit", 0, fmt.Sprintf("maximum number of processes (default %d)", hardening.DefaultPidsLimit))
	fs.BoolVar(&detach, "detach", false, "run in the background and print the container ID")
	fs.BoolVar(&detach, "d", false, "shorthand for --detach")
	fs.Var(&caps, "cap-add", "capability to add back after ALL is dropped (repeatable)")
	fs.Var(&publish, "publish", "publish a port: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable)")
	fs.Var(&publish, "p", "shorthand for --publish")
	fs.Var(&volumes, "volume", "bind mount or volume: SRC:DST[:ro] (repeatable)")
	fs.Var(&volumes, "v", "shorthand for --volume")
	fs.Var(&tmpfs, "tmpfs", "tmpfs mount: PATH[:OPTIONS] (repeatable)")
	fs.Var(&envs, "env", "environment variable KEY=value (repeatable)")
	fs.Var(&envs, "e", "shorthand for --env")
	fs.Var(&waivers, "waive", "loosen a rule on purpose: RULE=REASON (repeatable; the audit reports it as waived)")
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
	image, cmdArgs := fs.Arg(0), fs.Args()[1:]

	opts := []hardening.Option{hardening.WithNetwork(network)}
	if name != "" {
		opts = append(opts, hardening.WithName(name))
	}
	if user != "" {
		opts = append(opts, hardening.WithUser(user))
	}
	if memory != "" {
		n, err := units.RAMInBytes(memory)
		if err != nil {
			return usageErr(e, "run", "--memory %q: %v", memory, err)
		}
		opts = append(opts, hardening.WithMemory(n))
	}
	if pids != 0 {
		opts = append(opts, hardening.WithPidsLimit(pids))
	}
	if entrypoint != "" {
		opts = append(opts, hardening.WithEntrypoint(entrypoint))
	}
	if len(cmdArgs) > 0 {
		opts = append(opts, hardening.WithCmd(cmdArgs...))
	}
	if len(caps) > 0 {
		opts = append(opts, hardening.WithAddedCapabilities(caps...))
	}
	for _, p := range publish {
		opts = append(opts, hardening.WithPublish(p))
	}
	for _, v := range volumes {
		opts = append(opts, hardening.WithVolume(v))
	}
	for _, t := range tmpfs {
		path, o, _ := strings.Cut(t, ":")
		opts = append(opts, hardening.WithTmpfs(path, o))
	}
	if len(envs) > 0 {
		opts = append(opts, hardening.WithEnv(envs...))
	}
	for _, w := range waivers {
		id, reason, ok := strings.Cut(w, "=")
		if !ok || strings.TrimSpace(reason) == "" {
			return usageErr(e, "run", "--waive %q: want RULE=REASON (a waiver needs a reason)", w)
		}
		opts = append(opts, hardening.Waive(rule.ID(id), reason))
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
	logsDone := make(chan error, 1)
	go func() { logsDone <- c.Logs(ctx, e.stdout, e.stderr, true) }()
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
