package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/swarm"
)

func init() {
	register(command{name: "swarm", summary: "swarm services with the hardening profile: swarm deploy [flags] IMAGE [ARG...]", run: runSwarm, ownHelp: true})
	registerAudit(command{name: "swarm", summary: "audit the swarm: managers, auto-lock, encrypted overlays, services (CIS 7.x, 5.x)", run: runAuditSwarm})
}

func runSwarm(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "deploy" {
		if len(args) > 0 && (isHelpToken(args[0]) || args[0] == "help") {
			fmt.Fprintln(e.stdout, "usage: safedock swarm deploy [flags] IMAGE [ARG...]\n\nRun \"safedock swarm deploy --help\" for its flags; \"safedock audit swarm --help\" audits the swarm.")
			return exitOK
		}
		fmt.Fprintln(e.stderr, "usage: safedock swarm deploy [flags] IMAGE [ARG...]")
		return exitUsage
	}
	return runSwarmDeploy(ctx, e, args[1:])
}

func runSwarmDeploy(ctx context.Context, e *env, args []string) int {
	const cmd = "swarm deploy"
	fs := newFlagSet(cmd, e.stderr)
	var (
		name, cpus string
		replicas   uint64
		timeout    time.Duration
		secrets    repeatedFlag
	)
	fs.StringVar(&name, "name", "", "service name")
	fs.StringVar(&cpus, "cpus", "", "CPU limit, e.g. 0.5 (swarm has no CPU shares)")
	fs.Uint64Var(&replicas, "replicas", 1, "number of tasks")
	fs.DurationVar(&timeout, "timeout", 2*time.Minute, "how long the deploy may take, every daemon call and the wait for the task to run included")
	fs.Var(&secrets, "secret", "swarm secret to mount at /run/secrets/TARGET: NAME[:TARGET] (repeatable)")
	profile := cliflags.Register(fs, cliflags.Config{Network: "none", Service: true, Help: map[string]string{
		"network": "overlay network to join (created encrypted when missing); \"none\" joins no swarm network",
		"publish": "publish a port in host mode: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable; swarm cannot bind the IP: reported as a gap)",
		"env":     "environment variable KEY=value (repeatable; secret-looking names are refused: use --secret)",
		"waive":   "loosen a container or swarm rule on purpose: RULE=REASON (repeatable)",
	}})
	const header = "usage: safedock swarm deploy [flags] IMAGE [ARG...]\n\nDeploys IMAGE (resolved to its ID) as a hardened swarm service and waits until its task\n" +
		"runs. Prints the service ID; rules the engine cannot express in a service go to stderr.\nA rule is loosened only with --waive RULE=REASON."
	fs.Usage = func() {}                   // the help goes to stdout, on request
	if len(args) == 1 && args[0] == "-h" { // -h with a value is --hostname
		printHelp(e.stdout, header, fs)
		return exitOK
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, header, fs)
			return exitOK
		}
		fmt.Fprintln(e.stderr, "see: safedock swarm deploy --help")
		return exitUsage
	}
	if fs.NArg() < 1 {
		return usageErr(e, cmd, "no image given (usage: safedock swarm deploy [flags] IMAGE [ARG...])")
	}
	if timeout <= 0 {
		return usageErr(e, cmd, "--timeout %s: want a positive duration", timeout)
	}
	image := fs.Arg(0)
	opts, err := profile.Options(fs.Args()[1:])
	if err != nil {
		return usageErr(e, cmd, "%v", err)
	}
	svc := []swarm.ServiceOption{swarm.WithReplicas(replicas)}
	if name != "" {
		opts = append(opts, hardening.WithName(name))
	}
	if cpus != "" {
		n, err := strconv.ParseFloat(cpus, 64)
		if err != nil {
			return usageErr(e, cmd, "--cpus %q: %v", cpus, err)
		}
		svc = append(svc, swarm.WithCPULimit(n))
	}
	for _, s := range secrets {
		n, target, _ := strings.Cut(s, ":")
		svc = append(svc, swarm.WithAddedSecret(n, target))
	}
	waivers, err := profile.ParseWaivers()
	if err != nil {
		return usageErr(e, cmd, "%v", err)
	}
	for _, w := range waivers {
		if _, isSwarm := swarm.Rules().Lookup(w.ID); isSwarm {
			svc = append(svc, swarm.Waive(w.ID, w.Reason))
		} else {
			opts = append(opts, hardening.Waive(w.ID, w.Reason))
		}
	}

	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock swarm deploy:", err)
		return exitError
	}
	defer cli.Close()
	launch := hardening.NewLaunchID()
	opts = append(opts, hardening.WithLaunchID(launch))
	setLeftover("objects labelled " + hardening.LabelLaunch + "=" + launch + " may be left: docker service rm $(docker service ls -q --filter label=" +
		hardening.LabelLaunch + "=" + launch + ")")
	defer setLeftover("")
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := swarm.Deploy(dctx, cli, image, opts, svc...)
	if err != nil {
		return launchFailed(ctx, dctx, e, cmd, timeout, err)
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
	benchmark := benchmarkFlag(fs)
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
	bench, code, ok := parseBenchmark(e, cmd, *benchmark)
	if !ok {
		return code
	}
	cli, err := dockerClient()
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	defer cli.Close()
	r, err := swarm.Audit(ctx, cli, swarm.AuditOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	if err := report.Write(e.stdout, stampReport(r, bench, "", nil), f, reportOptions(*passed)); err != nil {
		fmt.Fprintln(e.stderr, "safedock audit swarm:", err)
		return exitError
	}
	if r.Summary.Fail > 0 {
		return exitFindings
	}
	return exitOK
}
