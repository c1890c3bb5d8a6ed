// Command safedock-kube exports a safedock hardening profile as a
// Kubernetes Pod manifest.
//
// Usage:
//
//	safedock-kube export [flags] IMAGE [ARG...]
//
// It takes the profile flags of "safedock run" and prints the pod as YAML,
// with comment lines for what the pod does not carry. "safedock kube ..."
// runs this command when it is on PATH; install it from a checkout with
//
//	cd kube && go install ./cmd/safedock-kube
//
// (go install ...@latest refuses a module whose go.mod has a replace
// directive, as kube/go.mod does until the kube module is released.)
//
// Exit codes: 0 exported, 2 usage error or a profile that breaks a rule
// without a waiver or cannot be expressed in a pod, 3 any other failure.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	units "github.com/docker/go-units"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/kube"
	"github.com/safedock/safedock/rule"
)

const (
	exitOK    = 0
	exitUsage = 2
	exitError = 3
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type repeated []string

func (l *repeated) String() string     { return strings.Join(*l, ",") }
func (l *repeated) Set(v string) error { *l = append(*l, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: safedock-kube export [flags] IMAGE [ARG...]\n\nPrints a hardening profile as a Kubernetes Pod (YAML). Run \"safedock-kube export -h\" for the flags.")
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] != "export" {
		fmt.Fprintf(stderr, "safedock-kube: unknown command %q (want export)\n", args[0])
		return exitUsage
	}
	return export(args[1:], stdout, stderr)
}

func export(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		name, namespace, user, network, memory, entrypoint, seccompPath string
		pids, cpuShares                                                 int64
		hostPorts, userns                                               bool
		caps, publish, volumes, tmpfs, envs, waivers                    repeated
	)
	fs.StringVar(&name, "name", "", "pod and container name (a DNS-1123 label; default "+kube.DefaultName+")")
	fs.StringVar(&namespace, "namespace", "", "pod namespace")
	fs.StringVar(&user, "user", "", "numeric user to run as: uid[:gid] (default 65534:65534; root needs --waive container.non-root-user=REASON)")
	fs.StringVar(&user, "u", "", "shorthand for --user")
	fs.StringVar(&network, "network", hardening.DefaultNetwork, "Docker network of the profile; \"host\" (with a waiver) becomes hostNetwork, any other is not carried")
	fs.StringVar(&memory, "memory", "", "memory limit, e.g. 256m (default 512m)")
	fs.StringVar(&memory, "m", "", "shorthand for --memory")
	fs.StringVar(&entrypoint, "entrypoint", "", "override the image's entrypoint (pod command)")
	fs.Int64Var(&pids, "pids-limit", 0, fmt.Sprintf("maximum number of processes (default %d; noted: a pod has no PIDs field)", hardening.DefaultPidsLimit))
	fs.Int64Var(&cpuShares, "cpu-shares", 0, fmt.Sprintf("relative CPU weight (default %d; becomes requests.cpu = shares/1024)", hardening.DefaultCPUShares))
	fs.BoolVar(&hostPorts, "host-ports", false, "also publish the ports on the node (hostPort/hostIP; Pod Security refuses them)")
	fs.BoolVar(&userns, "userns", false, "run the pod in its own user namespace (hostUsers: false)")
	fs.StringVar(&seccompPath, "seccomp-localhost", "", "kubelet-relative path of the node's copy of a custom seccomp profile")
	fs.Var(&caps, "cap-add", "capability to add back after ALL is dropped (repeatable)")
	fs.Var(&publish, "publish", "published port: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable; becomes a containerPort)")
	fs.Var(&publish, "p", "shorthand for --publish")
	fs.Var(&volumes, "volume", "SRC:DST[:ro]: a host path becomes hostPath, a volume name a PersistentVolumeClaim (repeatable)")
	fs.Var(&volumes, "v", "shorthand for --volume")
	fs.Var(&tmpfs, "tmpfs", "tmpfs mount PATH[:OPTIONS], becomes an in-memory emptyDir (repeatable)")
	fs.Var(&envs, "env", "environment variable KEY=value (repeatable)")
	fs.Var(&envs, "e", "shorthand for --env")
	fs.Var(&waivers, "waive", "loosen a rule on purpose: RULE=REASON (repeatable; recorded as a pod annotation)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: safedock-kube export [flags] IMAGE [ARG...]\n\nPrints the hardening profile for IMAGE as a Kubernetes Pod (YAML). Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() < 1 {
		fmt.Fprintln(stderr, "safedock-kube export: no image given (usage: safedock-kube export [flags] IMAGE [ARG...])")
		return exitUsage
	}
	image, cmdArgs := fs.Arg(0), fs.Args()[1:]

	opts := []hardening.Option{hardening.WithNetwork(network)}
	if user == "" {
		user = hardening.DefaultUser
	}
	opts = append(opts, hardening.WithUser(user))
	if memory != "" {
		n, err := units.RAMInBytes(memory)
		if err != nil {
			fmt.Fprintf(stderr, "safedock-kube export: --memory %q: %v\n", memory, err)
			return exitUsage
		}
		opts = append(opts, hardening.WithMemory(n))
	}
	if pids != 0 {
		opts = append(opts, hardening.WithPidsLimit(pids))
	}
	if cpuShares != 0 {
		opts = append(opts, hardening.WithCPUShares(cpuShares))
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
			fmt.Fprintf(stderr, "safedock-kube export: --waive %q: want RULE=REASON (a waiver needs a reason)\n", w)
			return exitUsage
		}
		opts = append(opts, hardening.Waive(rule.ID(id), reason))
	}
	var kopts []kube.Option
	if name != "" {
		kopts = append(kopts, kube.WithName(name))
	}
	if namespace != "" {
		kopts = append(kopts, kube.WithNamespace(namespace))
	}
	if hostPorts {
		kopts = append(kopts, kube.WithHostPorts())
	}
	if userns {
		kopts = append(kopts, kube.WithUserNamespace())
	}
	if seccompPath != "" {
		kopts = append(kopts, kube.WithLocalhostSeccomp(seccompPath))
	}

	sp, err := hardening.Build(image, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "safedock-kube export:", err)
		return exitUsage // a profile problem: the flags must change
	}
	m, err := kube.Export(sp, kopts...)
	if err != nil {
		fmt.Fprintln(stderr, "safedock-kube export:", err)
		return exitUsage
	}
	out, err := m.YAML()
	if err != nil {
		fmt.Fprintln(stderr, "safedock-kube export:", err)
		return exitError
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintln(stderr, "safedock-kube export: writing the manifest:", err)
		return exitError
	}
	return exitOK
}
