package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{name: "swarm", summary: "swarm services with the hardening profile: swarm deploy [flags] IMAGE [ARG...]", run: runSwarm})
	registerAudit(command{name: "swarm", summary: "audit the swarm: managers, auto-lock, encrypted overlays, services (CIS 7.x, 5.x)", run: runAuditSwarm})
}

func runSwarm(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "deploy" {
		fmt.Fprintln(e.stderr, "usage: safedock swarm deploy [flags] IMAGE [ARG...]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return exitOK
		}
		return exitUsage
	}
	return runSwarmDeploy(ctx, e, args[1:])
}

func runSwarmDeploy(ctx context.Context, e *env, args []string) int {
	const cmd = "swarm deploy"
	fs := newFlagSet(cmd, e.stderr)
	var (
		name, user, network, memory, entrypoint, cpus string
		pids                                          int64
		replicas                                      uint64
		timeout                                       time.Duration
		caps, publish, tmpfs, envs, secrets, waivers  repeatedFlag
	)
	fs.StringVar(&name, "name", "", "service name")
	fs.StringVar(&user, "user", "", "user to run as: uid[:gid] or name[:group] (root needs --waive container.non-root-user=REASON)")
	fs.StringVar(&user, "u", "", "shorthand for --user")
	fs.StringVar(&network, "network", "none", "overlay network to join (created encrypted when missing); \"none\" joins no swarm network")
	fs.StringVar(&memory, "memory", "", "memory limit, e.g. 256m (default 512m)")
	fs.StringVar(&memory, "m", "", "shorthand for --memory")
	fs.StringVar(&cpus, "cpus", "", "CPU limit, e.g. 0.5 (swarm has no CPU shares)")
	fs.StringVar(&entrypoint, "entrypoint", "", "override the image's entrypoint")
	fs.Int64Var(&pids, "pids-limit", 0, fmt.Sprintf("maximum number of processes (default %d)", hardening.DefaultPidsLimit))
	fs.Uint64Var(&replicas, "replicas", 1, "number of tasks")
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "how long to wait for the task to run")
	fs.Var(&caps, "cap-add", "capability to add back after ALL is dropped (repeatable)")
	fs.Var(&publish, "publish", "publish a port in host mode: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable; swarm cannot bind the IP: reported as a gap)")
	fs.Var(&publish, "p", "shorthand for --publish")
	fs.Var(&tmpfs, "tmpfs", "tmpfs mount: PATH[:OPTIONS] (repeatable)")
	fs.Var(&envs, "env", "environment variable KEY=value (repeatable; secret-looking names are refused: use --secret)")
	fs.Var(&envs, "e", "shorthand for --env")
	fs.Var(&secrets, "secret", "swarm secret to mount at /run/secrets/TARGET: NAME[:TARGET] (repeatable)")
	fs.Var(&waivers, "waive", "loosen a container or swarm rule on purpose: RULE=REASON (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: safedock swarm deploy [flags] IMAGE [ARG...]\n\nDeploys IMAGE (resolved to its ID) as a hardened swarm service and waits until its task\nruns. Prints the service ID; rules the engine cannot express in a service go to stderr. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() < 1 {
		return usageErr(e, cmd, "no image given (usage: safedock swarm deploy [flags] IMAGE [ARG...])")
	}
	image, cmdArgs := fs.Arg(0), fs.Args()[1:]

	opts := []hardening.Option{hardening.WithNetwork(network)}
	svc := []hardening.ServiceOption{hardening.WithReplicas(replicas)}
	if name != "" {
		opts = append(opts, hardening.WithName(name))
	}
	if user != "" {
		opts = append(opts, hardening.WithUser(user))
	}
	if memory != "" {
		n, err := units.RAMInBytes(memory)
		if err != nil {
			return usageErr(e, cmd, "--memory %q: %v", memory, err)
		}
		opts = append(opts, hardening.WithMemory(n))
	}
	if cpus != "" {
		n, err := strconv.ParseFloat(cpus, 64)
		if err != nil {
			return usageErr(e, cmd, "--cpus %q: %v", cpus, err)
		}
		svc = append(svc, hardening.WithCPULimit(n))
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
	for _, t := range tmpfs {
		path, o, _ := strings.Cut(t, ":")
		opts = append(opts, hardening.WithTmpfs(path, o))
	}
	if len(envs) > 0 {
		opts = append(opts, hardening.WithEnv(envs...))
	}
	for _, s := range secrets {
		n, target, _ := strings.Cut(s, ":")
		svc = append(svc, hardening.WithSecret(n, target))
	}
	for _, w := range waivers {
		id, reason, ok := strings.Cut(w, "=")
		if !ok || strings.TrimSpace(reason) == "" {
			return usageErr(e, cmd, "--waive %q: want RULE=REASON (a waiver needs a reason)", w)
		}
		if _, isSwarm := hardening.SwarmRules().Lookup(rule.ID(id)); isSwarm {
			svc = append(svc, hardening.WaiveService(rule.ID(id), reason))
		} else {
			opts = append(opts, hardening.Waive(rule.ID(id), reason))
		}
	}

	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock swarm deploy:", err)
		return exitError
	}
	defer cli.Close()
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := hardening.Deploy(dctx, cli, image, opts, svc...)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock swarm deploy:", err)
		var v *rule.Violation
		if errors.As(err, &v) || errors.Is(err, hardening.ErrInvalidSpec) {
			return exitUsage
		}
		return exitError
	}
	fmt.Fprintf(e.stderr, "safedock: deployed service %s from %s (%s; Engine API %s)\n", s.Name, image, s.ImageID, s.APIVersion)
	for _, g := range s.Gaps {
		fmt.Fprintln(e.stderr, "safedock: gap:", g)
	}
	fmt.Fprintln(e.stdout, s.ID)
	return exitOK
}

func runAuditSwarm(ctx context.Context, e *env, args []string) int {
	const cmd = "audit swarm"
	fs := newFlagSet(cmd, e.stderr)
	format := fs.String("format", "text", "output format: text or json")
	passed := fs.Bool("passed", false, "show passing findings in text output")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr(e, cmd, "unexpected argument %q", fs.Arg(0))
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return usageErr(e, cmd, "%v", err)
	}
	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	defer cli.Close()
	r, err := hardening.AuditSwarm(ctx, cli, hardening.SwarmAuditOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	if err := report.Write(e.stdout, r, f, report.Options{Passed: *passed}); err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	if r.Summary.Fail > 0 {
		return exitFindings
	}
	return exitOK
}
