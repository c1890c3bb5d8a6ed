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

	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/kube"
	"github.com/safedock/safedock/policy"
)

const (
	exitOK    = 0
	exitUsage = 2
	exitError = 3
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

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
		name, namespace, seccompPath string
		hostPorts, userns            bool
	)
	fs.StringVar(&name, "name", "", "pod and container name (a DNS-1123 label; default "+kube.DefaultName+")")
	fs.StringVar(&namespace, "namespace", "", "pod namespace")
	fs.BoolVar(&hostPorts, "host-ports", false, "also publish the ports on the node (hostPort/hostIP; Pod Security refuses them)")
	fs.BoolVar(&userns, "userns", false, "run the pod in its own user namespace (hostUsers: false)")
	fs.StringVar(&seccompPath, "seccomp-localhost", "", "kubelet-relative path of the node's copy of a custom seccomp profile")
	profile := cliflags.Register(fs, cliflags.Config{Network: hardening.DefaultNetwork, Volumes: true, CPUShares: true, Service: true, Help: map[string]string{
		"user":       "numeric user to run as: uid[:gid] (default 65534:65534; root needs --waive container.non-root-user=REASON)",
		"network":    "Docker network of the profile; \"host\" (with a waiver) becomes hostNetwork, any other is not carried",
		"entrypoint": "override the image's entrypoint (pod command)",
		"pids-limit": fmt.Sprintf("maximum number of processes (default %d; noted: a pod has no PIDs field)", policy.DefaultPidsLimit),
		"cpu-shares": fmt.Sprintf("relative CPU weight (default %d; becomes requests.cpu = shares/1024)", policy.DefaultCPUShares),
		"publish":    "published port: IP:HOSTPORT:CONTAINERPORT[/PROTO] (repeatable; becomes a containerPort)",
		"volume":     "SRC:DST[:ro]: a host path becomes hostPath, a volume name a PersistentVolumeClaim (repeatable)",
		"tmpfs":      "tmpfs mount PATH[:OPTIONS], becomes an in-memory emptyDir (repeatable)",
		"waive":      "loosen a rule on purpose: RULE=REASON (repeatable; recorded as a pod annotation)",
	}})
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
	image := fs.Arg(0)
	if profile.User == "" {
		profile.User = policy.DefaultUser
	}
	opts, err := profile.ContainerOptions(fs.Args()[1:])
	if err != nil {
		fmt.Fprintf(stderr, "safedock-kube export: %v\n", err)
		return exitUsage
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
		if text, ok := cliflags.Refusal("safedock-kube export", err); ok {
			fmt.Fprint(stderr, text)
		} else {
			fmt.Fprintln(stderr, "safedock-kube export:", err)
		}
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
