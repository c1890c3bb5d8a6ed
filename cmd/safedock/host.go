package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/client"
	"github.com/safedock/safedock"
	"github.com/safedock/safedock/host"
	"github.com/safedock/safedock/report"
)

func init() {
	registerAudit(command{
		name:    "host",
		summary: "the host: data-root mount, socket group, kernel, engine version, OS, audit rules",
		run:     runAuditHost,
	})
	register(command{
		name:    "audit-rules",
		summary: "print auditd rules for Docker's files and binaries (CIS 1.1.3-1.1.18)",
		run:     runAuditRules,
	})
}

// hostInputs gathers the host facts once: the daemon's Info (when a daemon
// answers), the active audit rules (when auditctl works). The error is why
// there is no Info although one was asked for (not offline).
func hostInputs(ctx context.Context, e *env, root string, offline bool, errw io.Writer) (host.Inputs, error) {
	in := host.Inputs{Root: root}
	var infoErr error
	if h := e.getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		in.Socket = strings.TrimPrefix(h, "unix://")
	}
	if !offline {
		cli, err := client.New(client.FromEnv)
		infoErr = err
		if err == nil {
			defer cli.Close()
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			info, err := cli.Info(cctx, client.InfoOptions{})
			cancel()
			if err == nil {
				in.Info = &info.Info
			} else {
				infoErr = fmt.Errorf("reading daemon info: %w", err)
				fmt.Fprintf(errw, "safedock: no daemon info (%v); engine checks are skipped\n", err)
			}
		}
	}
	if root == "/" || root == "" {
		if rules, err := host.ActiveAuditRules(ctx); err == nil {
			in.ActiveAuditRules = rules
		}
	}
	return in, infoErr
}

func runAuditHost(ctx context.Context, e *env, args []string) int {
	fl := newFlagSet("audit host", nil)
	fl.SetOutput(e.stderr)
	format := fl.String("format", "text", "output format: text, json, sarif or html")
	benchmark := benchmarkFlag(fl)
	root := fl.String("root", "/", "examine the tree under `DIR` as if it were /")
	trusted := fl.String("trusted", "", "comma-separated `USERS` allowed in the socket's group")
	offline := fl.Bool("offline", false, "do not ask the daemon (engine version is skipped)")
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit host:", err)
		return exitUsage
	}
	bench, code, ok := parseBenchmark(e, "audit host", *benchmark)
	if !ok {
		return code
	}
	in, infoErr := hostInputs(ctx, e, *root, *offline, e.stderr)
	if *trusted != "" {
		in.TrustedUsers = strings.Split(*trusted, ",")
	}
	rep, err := host.Check(in)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit host:", err)
		return exitError
	}
	if err := report.Write(e.stdout, stampReport(rep, bench, "", safedock.HostIdentity(in.Info, false)), f, reportOptions(true)); err != nil {
		fmt.Fprintln(e.stderr, "safedock audit host:", err)
		return exitError
	}
	if infoErr != nil {
		// Incomplete is not clean: the engine checks did not run.
		fmt.Fprintf(e.stderr, "safedock audit host: incomplete: the engine checks could not run (%v); use --offline to skip them on purpose\n", infoErr)
		return exitError
	}
	if failed(rep) {
		return exitFindings
	}
	return exitOK
}

func runAuditRules(ctx context.Context, e *env, args []string) int {
	fl := newFlagSet("audit-rules", nil)
	fl.SetOutput(e.stderr)
	root := fl.String("root", "/", "generate for the tree under `DIR`")
	offline := fl.Bool("offline", false, "do not ask the daemon for its data root")
	engine := fl.String("engine", "auto", "whose files to watch: docker, podman, or auto (ask the daemon)")
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	in, _ := hostInputs(ctx, e, *root, *offline, io.Discard) // without Info, the configured data root
	switch *engine {
	case "docker":
	case "podman":
		in.Podman = true
	case "auto":
		in.Podman = !*offline && in.Info != nil && isPodman(ctx, in.Info)
	default:
		fmt.Fprintf(e.stderr, "safedock audit-rules: --engine %q: want docker, podman or auto\n", *engine)
		return exitUsage
	}
	rules, err := host.AuditRules(in)
	if err != nil {
		fmt.Fprintln(e.stderr, "safedock audit-rules:", err)
		return exitError
	}
	if _, err := e.stdout.Write(rules); err != nil {
		return exitError
	}
	return exitOK
}

// isPodman identifies the engine behind DOCKER_HOST as the whole-host audit
// does: /info, and /version when /info leaves it in doubt.
func isPodman(ctx context.Context, info *system.Info) bool {
	if !safedock.NeedsVersion(info) {
		return false
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return false
	}
	defer cli.Close()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := cli.ServerVersion(cctx, client.ServerVersionOptions{})
	if err != nil {
		return false
	}
	return safedock.IdentifyEngine(&v, info).Kind == safedock.EnginePodman
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding output: %w", err)
	}
	return nil
}
