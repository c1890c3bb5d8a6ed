package authz

import (
	"context"
	"fmt"
	"sync"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
)

// DockerFacts reads facts from the daemon the plugin guards, through the
// Engine API: /info once, then an image or network inspect per create.
// dockerd asks the plugin about these reads too (and the plugin allows
// them), so its server must answer concurrently, which Server does.
type DockerFacts struct {
	cli  client.APIClient
	host func() (hardening.HostFacts, error)
	mu   sync.Mutex
}

// NewDockerFacts returns facts read through cli.
func NewDockerFacts(cli client.APIClient) (*DockerFacts, error) {
	if cli == nil {
		return nil, fmt.Errorf("new docker facts: nil client")
	}
	return &DockerFacts{cli: cli}, nil
}

// HostFacts implements Facts: the daemon's security options, read once
// (a failed read is retried on the next call).
func (f *DockerFacts) HostFacts(ctx context.Context) (hardening.HostFacts, error) {
	f.mu.Lock()
	h := f.host
	f.mu.Unlock()
	if h != nil {
		return h()
	}
	info, err := f.cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return hardening.HostFacts{}, fmt.Errorf("reading daemon info: %w", err)
	}
	facts := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)
	f.mu.Lock()
	f.host = func() (hardening.HostFacts, error) { return facts, nil }
	f.mu.Unlock()
	return facts, nil
}

// ImageFacts implements Facts with an image inspect.
func (f *DockerFacts) ImageFacts(ctx context.Context, ref string) (*hardening.ImageFacts, error) {
	img, err := f.cli.ImageInspect(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	facts := &hardening.ImageFacts{ID: img.ID, RepoDigests: img.RepoDigests}
	if c := img.Config; c != nil {
		facts.User = c.User
		facts.Healthcheck = c.Healthcheck != nil && len(c.Healthcheck.Test) > 0 && c.Healthcheck.Test[0] != "NONE"
		for p := range c.ExposedPorts {
			facts.ExposedPorts = append(facts.ExposedPorts, p)
		}
	}
	return facts, nil
}

// NetworkFacts implements Facts with a network inspect.
func (f *DockerFacts) NetworkFacts(ctx context.Context, name string) (*hardening.NetworkFacts, error) {
	res, err := f.cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("inspecting network %s: %w", name, err)
	}
	n := res.Network
	facts := &hardening.NetworkFacts{Name: n.Name, Driver: n.Driver, Internal: n.Internal, ICC: true}
	if n.Driver == "bridge" && n.Options[hardening.ICCOption] == "false" {
		facts.ICC = false
	}
	if n.Driver == "null" || n.Driver == "host" {
		facts.ICC = false
	}
	return facts, nil
}
