package dockertest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// SwarmAddr is the private address StartSwarm gives the throwaway daemon's
// network namespace (on a veth pair that never leaves that namespace):
// swarm wants a non-loopback address to advertise.
const SwarmAddr = "10.253.0.1"

// StartSwarm starts a throwaway dockerd (as StartDaemon; live-restore must be
// off, dockerd 20.10 refuses swarm mode with it), gives its network
// namespace an interface with SwarmAddr, and turns it into a single-node
// swarm manager. Cleanup leaves the swarm (forcing it, which also removes
// the swarm's services) before the daemon is stopped.
func StartSwarm(t testing.TB, opts DaemonOptions) *Daemon {
	t.Helper()
	for _, bin := range []string{"nsenter", "ip"} {
		if _, err := exec.LookPath(bin); err != nil {
			Unavailable(t, "%s not installed: %v", bin, err)
		}
	}
	d := StartDaemon(t, opts)
	pid := strconv.Itoa(d.PID)
	steps := [][]string{
		{"link", "add", "sd0", "type", "veth", "peer", "name", "sd1"},
		{"addr", "add", SwarmAddr + "/24", "dev", "sd0"},
		{"link", "set", "sd0", "up"},
		{"link", "set", "sd1", "up"},
	}
	for _, s := range steps {
		args := append([]string{"-t", pid, "-n", "ip"}, s...)
		if out, err := exec.Command("nsenter", args...).CombinedOutput(); err != nil {
			t.Fatalf("setting up the swarm address in dockerd's netns (ip %v): %v\n%s", s, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := d.Client.SwarmInit(ctx, client.SwarmInitOptions{ListenAddr: SwarmAddr + ":2377", AdvertiseAddr: SwarmAddr}); err != nil {
		t.Fatalf("swarm init: %v\n%s", err, tail(d.LogText(), 20))
	}
	t.Cleanup(func() {
		if d.Client == nil {
			return
		}
		ctx, cancel := cleanupCtx()
		defer cancel()
		if _, err := d.Client.SwarmLeave(ctx, client.SwarmLeaveOptions{Force: true}); err != nil {
			t.Errorf("cleanup: leaving the swarm: %v", err)
		}
	})
	return d
}

// WaitSwarmReady waits until the swarm's manager answers node listings, which
// can lag behind swarm init by a moment.
func WaitSwarmReady(ctx context.Context, cli client.APIClient) error {
	for {
		if _, err := cli.NodeList(ctx, client.NodeListOptions{}); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return fmt.Errorf("waiting for the swarm manager: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
