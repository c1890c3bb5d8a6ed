package main

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{
		name:    "daemon-config",
		summary: "generate, validate or harden daemon.json, or print its JSON Schema (daemon-config generate|validate|harden|schema)",
		run:     runDaemonConfig,
	})
}

func runDaemonConfig(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, `usage:
  safedock daemon-config generate [--userns-remap U] [--no-userns-remap REASON] [--syslog ADDR]
                                  [--tls-ca F --tls-cert F --tls-key F --tls-listen HOST:PORT]
                                  [--cgroup-parent P] [--seccomp-profile F] [--authorization-plugin NAME] [--engine-version V]
  safedock daemon-config validate FILE [--dockerd-args ".."] [--engine-version V] [--swarm auto|yes|no]
                                  [--host-facts none|local] [--format text|json|sarif|html] [--benchmark cis-1.8.0]
  safedock daemon-config harden FILE [--write] [--dockerd-args ".."] [--engine-version V] [--swarm auto|yes|no]
  safedock daemon-config schema [--engine-version V]

--swarm says whether the node is in a swarm (dockerd refuses live-restore there); auto (the
default) asks the daemon at DOCKER_HOST, briefly, and treats it as unknown when none answers.
--host-facts local judges host-dependent checks (users, files, runtimes, plugins, storage
drivers, addresses, socket activation) against this host; none (the default) only warns.
validate exits 1 when dockerd would refuse the file or every container on it would fail.
schema prints a JSON Schema (2020-12) of the keys that engine accepts, for editors.`)
		return exitUsage
	}
	switch args[0] {
	case "generate":
		return daemonGenerate(e, args[1:])
	case "validate":
		return daemonValidate(ctx, e, args[1:])
	case "harden":
		return daemonHarden(ctx, e, args[1:])
	case "schema":
		return daemonSchema(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "safedock daemon-config: unknown subcommand %q (generate, validate, harden, schema)\n", args[0])
	return exitUsage
}

// splitFileArg allows FILE before or after the flags.
func splitFileArg(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

func engineVersion(s string) (daemonconf.Version, error) {
	if s == "" {
		return daemonconf.Version{}, nil
	}
	return daemonconf.ParseVersion(s)
}

func daemonValidate(ctx context.Context, e *env, args []string) int {
	file, rest := splitFileArg(args)
	fs := newFlagSet("daemon-config validate", nil)
	fs.SetOutput(e.stderr)
	dargs := fs.String("dockerd-args", "", "dockerd's command line, e.g. \"-H fd:// --containerd=/run/containerd/containerd.sock\"")
	ver := fs.String("engine-version", "", "engine version that will read the file (default 20.10)")
	format := fs.String("format", "text", "output format: text, json, sarif or html")
	benchmark := benchmarkFlag(fs)
	swarmMode := fs.String("swarm", "auto", "is this node in a swarm: auto (ask the daemon), yes or no")
	hostFacts := fs.String("host-facts", "none", "judge host-dependent checks against: none (only warn) or local (this host)")
	if err := fs.Parse(rest); err != nil {
		return exitUsage
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if *hostFacts != "none" && *hostFacts != "local" {
		fmt.Fprintf(e.stderr, "safedock daemon-config validate: --host-facts %q: want none or local\n", *hostFacts)
		return exitUsage
	}
	if file == "" {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate: FILE is required")
		return exitUsage
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitUsage
	}
	v, err := engineVersion(*ver)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitUsage
	}
	bench, code, ok := parseBenchmark(e, "daemon-config validate", *benchmark)
	if !ok {
		return code
	}
	host, err := swarmFacts(ctx, e, *swarmMode)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitUsage
	}
	data, err := readConfigFile(ctx, file)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitError
	}
	if *hostFacts == "local" {
		local, err := daemonconf.LocalHostFacts("/", data, strings.Fields(*dargs))
		if err != nil {
			fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
			return exitError
		}
		if host != nil {
			local.SwarmActive = host.SwarmActive
		}
		host = local
	}
	res := daemonconf.Validate(data, daemonconf.Options{Version: v, DockerdArgs: strings.Fields(*dargs), Target: "file:" + file, Host: host})
	if err := report.Write(e.stdout, stampReport(res.Report(), bench, "", nil), f, reportOptions(false)); err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitError
	}
	if !res.OK() {
		return exitFindings
	}
	return exitOK
}

func daemonSchema(e *env, args []string) int {
	fs := newFlagSet("daemon-config schema", nil)
	fs.SetOutput(e.stderr)
	ver := fs.String("engine-version", "", "engine version whose keys the schema describes (default 20.10)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "safedock daemon-config schema: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	v, err := engineVersion(*ver)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config schema:", err)
		return exitUsage
	}
	b, err := daemonconf.JSONSchema(v)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config schema:", err)
		return exitError
	}
	if _, err := e.stdout.Write(b); err != nil {
		return exitError
	}
	return exitOK
}

// readConfigFile reads a daemon.json to validate. It never blocks: FIFOs,
// sockets and devices are refused before anything is read (see
// hostfs.ReadFile). A symlink is resolved first, as dockerd follows it, and
// its target is read the same way.
func readConfigFile(ctx context.Context, path string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&iofs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: resolving the symlink: %w", path, err)
		}
		target = resolved
	}
	data, err := daemonconf.ReadFile(target)
	if err != nil {
		if target != path {
			return nil, fmt.Errorf("%s (a symlink to %s): %w", path, target, err)
		}
		return nil, err
	}
	return data, nil
}

// swarmProbeTimeout bounds the question "is this node in a swarm?".
const swarmProbeTimeout = 3 * time.Second

// swarmFacts turns --swarm into host facts for the validator: yes and no
// are taken as given; auto asks the daemon at DOCKER_HOST, within
// swarmProbeTimeout, and returns nil (unknown) when none answers.
func swarmFacts(ctx context.Context, e *env, mode string) (*daemonconf.HostFacts, error) {
	switch mode {
	case "yes":
		return &daemonconf.HostFacts{SwarmActive: true}, nil
	case "no":
		return &daemonconf.HostFacts{}, nil
	case "auto", "":
	default:
		return nil, fmt.Errorf("--swarm %q: want auto, yes or no", mode)
	}
	active, err := askSwarm(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "note: could not ask the daemon whether this node is in a swarm (%v); give --swarm yes or no to say\n", err)
		return nil, nil
	}
	return &daemonconf.HostFacts{SwarmActive: active}, nil
}

// askSwarm reports whether the daemon's node takes part in a swarm: any
// local node state but inactive means dockerd starts its cluster component
// at boot.
func askSwarm(ctx context.Context) (bool, error) {
	cli, err := dockerClient()
	if err != nil {
		return false, err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, swarmProbeTimeout)
	defer cancel()
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return false, fmt.Errorf("asking the daemon for its swarm state: %w", err)
	}
	st := info.Info.Swarm.LocalNodeState
	return st != "" && st != swarm.LocalNodeStateInactive, nil
}

func daemonGenerate(e *env, args []string) int {
	fs := newFlagSet("daemon-config generate", nil)
	fs.SetOutput(e.stderr)
	userns := fs.String("userns-remap", "default", "userns-remap value")
	noUserns := fs.String("no-userns-remap", "", "turn off userns-remap, with this reason (a waiver)")
	syslog := fs.String("syslog", "", "send container logs to this syslog address (udp://host:514)")
	ca := fs.String("tls-ca", "", "CA certificate for client verification")
	cert := fs.String("tls-cert", "", "server certificate")
	key := fs.String("tls-key", "", "server key")
	listen := fs.String("tls-listen", "", "TCP address to listen on with mutual TLS (host:port)")
	cgroup := fs.String("cgroup-parent", "", "parent cgroup for containers")
	seccomp := fs.String("seccomp-profile", "", "custom seccomp profile path")
	authz := fs.String("authorization-plugin", "", "authorization plugin name, as dockerd's flag (safedock: safedock authz install, docs/authz.md)")
	fs.StringVar(authz, "authz-plugin", "", "the same as --authorization-plugin")
	ver := fs.String("engine-version", "", "engine version that will read the file")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	v, err := engineVersion(*ver)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config generate:", err)
		return exitUsage
	}
	opts := []daemonconf.Option{daemonconf.WithEngineVersion(v), daemonconf.WithUsernsRemap(*userns)}
	if *noUserns != "" {
		opts = append(opts, daemonconf.Waive(daemonconf.DaemonUsernsRemap, *noUserns))
	}
	if *syslog != "" {
		opts = append(opts, daemonconf.WithSyslog(*syslog))
	}
	if *ca != "" || *cert != "" || *key != "" || *listen != "" {
		opts = append(opts, daemonconf.WithTLS(*ca, *cert, *key, *listen))
	}
	if *cgroup != "" {
		opts = append(opts, daemonconf.WithCgroupParent(*cgroup))
	}
	if *seccomp != "" {
		opts = append(opts, daemonconf.WithSeccompProfile(*seccomp))
	}
	if *authz != "" {
		opts = append(opts, daemonconf.WithAuthorizationPlugins(*authz))
	}
	out, err := daemonconf.Generate(opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config generate:", err)
		return exitUsage
	}
	_, _ = e.stdout.Write(out)
	return exitOK
}

func daemonHarden(ctx context.Context, e *env, args []string) int {
	file, rest := splitFileArg(args)
	fs := newFlagSet("daemon-config harden", nil)
	fs.SetOutput(e.stderr)
	write := fs.Bool("write", false, "replace FILE (atomically, keeping a backup) instead of printing the result")
	dargs := fs.String("dockerd-args", "", "dockerd's command line")
	ver := fs.String("engine-version", "", "engine version that will read the file")
	swarmMode := fs.String("swarm", "auto", "is this node in a swarm: auto (ask the daemon), yes or no")
	if err := fs.Parse(rest); err != nil {
		return exitUsage
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden: FILE is required")
		return exitUsage
	}
	v, err := engineVersion(*ver)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitUsage
	}
	host, err := swarmFacts(ctx, e, *swarmMode)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitUsage
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitError
	}
	opts := daemonconf.Options{Version: v, DockerdArgs: strings.Fields(*dargs), Target: "file:" + file, Waivers: rule.Waivers{}, Host: host}
	res, err := daemonconf.HardenFile(file, opts, *write)
	for _, c := range res.Changes {
		fmt.Fprintf(e.stderr, "changed (%s): %s\n", c.Rule, c.Description)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		if errors.Is(err, daemonconf.ErrRejected) {
			return exitFindings
		}
		return exitError
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(e.stderr, "nothing to change")
	}
	for _, c := range res.Changes {
		if host == nil && c.Rule == daemonconf.DaemonLiveRestore {
			fmt.Fprintln(e.stderr, "note: live-restore was added, which dockerd refuses on swarm nodes; if this node is in a swarm, run again with --swarm yes")
		}
	}
	if !*write {
		_, _ = e.stdout.Write(res.Output)
		return exitOK
	}
	if res.Written {
		fmt.Fprintf(e.stderr, "wrote %s (mode %04o, owner %d:%d; previous file kept as %s); restart dockerd to apply\n",
			res.Write.Path, res.Write.Perm, res.Write.UID, res.Write.GID, res.Write.Backup)
	}
	return exitOK
}
