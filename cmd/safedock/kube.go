package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// kubeCommand is the separate program that holds the Kubernetes export. It
// lives in its own module (github.com/safedock/safedock/kube) so that this
// binary and the core library never pull Kubernetes dependencies.
const kubeCommand = "safedock-kube"

// kubeInstall is how to get it. From a checkout, because kube/go.mod
// replaces the core module with ../ (go install ...@latest refuses modules
// with replace directives until the kube module is released on its own).
const kubeInstall = "cd kube && go install ./cmd/safedock-kube   (from a safedock checkout; released: go install github.com/safedock/safedock/kube/cmd/safedock-kube@latest)"

func init() {
	register(command{name: "kube", summary: "Kubernetes: safedock kube export [flags] IMAGE prints the profile as a Pod (runs " + kubeCommand + ")", run: runKube})
}

func runKube(ctx context.Context, e *env, args []string) int {
	bin, ok := lookPath(kubeCommand, e.getenv("PATH"))
	if !ok {
		fmt.Fprintf(e.stderr, "safedock kube: %s is not on PATH; it is a separate program so that safedock itself never depends on Kubernetes. Install it with:\n\n\t%s\n", kubeCommand, kubeInstall)
		return exitError
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, e.stdout, e.stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	fmt.Fprintf(e.stderr, "safedock kube: running %s: %v\n", bin, err)
	return exitError
}

// lookPath finds an executable file named name in the PATH list pathEnv
// (the env's own PATH, not necessarily the process's).
func lookPath(name, pathEnv string) (string, bool) {
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}
