// Command hardened-run launches one hardened container with safedock and
// prints what the container printed, then what the launcher recorded.
//
//	go run ./examples/hardened-run IMAGE [ARG...]
//
// With the probe image the integration tests build, pass "status" to see the
// kernel's view from inside: capabilities, no_new_privs, seccomp mode, a
// failed write to /, and the cgroup limits. Every daemon call runs under
// a two-minute deadline. At the end the container is removed by ID, and
// the shared safedock-isolated network only if no other container (running
// or stopped) references it; nothing else is touched.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: hardened-run IMAGE [ARG...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "hardened-run:", err)
		os.Exit(1)
	}
}

func run(image string, args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cli, err := client.New(client.FromEnv) // honours DOCKER_HOST like the docker CLI
	if err != nil {
		return err
	}
	defer cli.Close()

	c, err := hardening.Create(ctx, cli, image,
		hardening.WithNonRootUser(),
		hardening.WithCmd(args...),
		hardening.WithPidsLimit(64),
		hardening.WithMemory(64<<20),
		hardening.WithRestartPolicy("no", 0),
	)
	if err != nil {
		return err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := c.Remove(rctx); err != nil {
			fmt.Fprintln(os.Stderr, "hardened-run:", err)
		}
	}()
	wait := c.WaitNext(ctx)
	if err := c.Start(ctx); err != nil {
		return err
	}
	code, err := wait()
	if err != nil {
		return err
	}
	if err := c.Logs(ctx, os.Stdout, os.Stderr, false); err != nil {
		return err
	}
	fmt.Printf("container %s ran image %s (from %q) as %s on network %s (%s) and exited %d; launch %s\n",
		c.Name, c.ImageID, c.ImageRef, c.Spec.Config.User, c.Network, c.NetworkID, code, c.LaunchID)
	return nil
}
