package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

func init() {
	register(command{
		name:    "daemon-config",
		summary: "generate, validate or harden daemon.json (daemon-config generate|validate|harden)",
		run:     runDaemonConfig,
	})
}

func runDaemonConfig(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, `usage:
  safedock daemon-config generate [--userns-remap U] [--no-userns-remap REASON] [--syslog ADDR]
                                  [--tls-ca F --tls-cert F --tls-key F --tls-listen HOST:PORT]
                                  [--cgroup-parent P] [--seccomp-profile F] [--authz-plugin NAME] [--engine-version V]
  safedock daemon-config validate FILE [--dockerd-args ".."] [--engine-version V] [--format text|json]
  safedock daemon-config harden FILE [--write] [--dockerd-args ".."] [--engine-version V]`)
		return exitUsage
	}
	switch args[0] {
	case "generate":
		return daemonGenerate(e, args[1:])
	case "validate":
		return daemonValidate(e, args[1:])
	case "harden":
		return daemonHarden(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "safedock daemon-config: unknown subcommand %q (generate, validate, harden)\n", args[0])
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

func daemonValidate(e *env, args []string) int {
	file, rest := splitFileArg(args)
	fs := flag.NewFlagSet("daemon-config validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dargs := fs.String("dockerd-args", "", "dockerd's command line, e.g. \"-H fd:// --containerd=/run/containerd/containerd.sock\"")
	ver := fs.String("engine-version", "", "engine version that will read the file (default 20.10)")
	format := fs.String("format", "text", "output format: text or json")
	if err := fs.Parse(rest); err != nil {
		return exitUsage
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
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
	data, err := readConfigFile(file)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitError
	}
	res := daemonconf.Validate(data, daemonconf.Options{Version: v, DockerdArgs: strings.Fields(*dargs), Target: "file:" + file})
	if err := report.Write(e.stdout, res.Report(), f, report.Options{}); err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config validate:", err)
		return exitError
	}
	if res.Refused() {
		return exitFindings
	}
	return exitOK
}

func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, nil
}

func daemonGenerate(e *env, args []string) int {
	fs := flag.NewFlagSet("daemon-config generate", flag.ContinueOnError)
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
	authz := fs.String("authz-plugin", "", "authorization plugin name")
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
		opts = append(opts, daemonconf.WithWaiver(daemonconf.RuleUserns, *noUserns))
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

func daemonHarden(e *env, args []string) int {
	file, rest := splitFileArg(args)
	fs := flag.NewFlagSet("daemon-config harden", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	write := fs.Bool("write", false, "replace FILE (atomically, keeping a backup) instead of printing the result")
	dargs := fs.String("dockerd-args", "", "dockerd's command line")
	ver := fs.String("engine-version", "", "engine version that will read the file")
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
	data, err := readConfigFile(file)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitError
	}
	opts := daemonconf.Options{Version: v, DockerdArgs: strings.Fields(*dargs), Target: "file:" + file, Waivers: rule.Waivers{}}
	out, changes, err := daemonconf.Harden(data, opts)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitFindings
	}
	for _, c := range changes {
		fmt.Fprintf(e.stderr, "changed (%s): %s\n", c.Rule, c.Description)
	}
	if len(changes) == 0 {
		fmt.Fprintln(e.stderr, "nothing to change")
	}
	if !*write {
		_, _ = e.stdout.Write(out)
		return exitOK
	}
	res, err := daemonconf.Write(file, out, opts)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock daemon-config harden:", err)
		return exitError
	}
	if res.Backup != "" {
		fmt.Fprintf(e.stderr, "wrote %s (previous file kept as %s); restart dockerd to apply\n", res.Path, res.Backup)
	}
	return exitOK
}
