package hardening

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// DefaultNetwork is the user-defined network Run attaches containers to when
// the caller names none: a bridge with inter-container traffic disabled,
// created on first use.
const DefaultNetwork = "safedock-isolated"

// ErrImageNotFound is returned by Run when the image is not on the daemon.
// safedock never pulls: pull or build the image first.
var ErrImageNotFound = errors.New("image not found on the daemon")

// Client is the part of moby's client.APIClient that Run and Audit use.
// *client.Client implements it; tests may wrap it to inject faults.
type Client interface {
	Info(ctx context.Context, options client.InfoOptions) (client.SystemInfoResult, error)
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	NetworkInspect(ctx context.Context, network string, options client.NetworkInspectOptions) (client.NetworkInspectResult, error)
	NetworkCreate(ctx context.Context, name string, options client.NetworkCreateOptions) (client.NetworkCreateResult, error)
	NetworkRemove(ctx context.Context, network string, options client.NetworkRemoveOptions) (client.NetworkRemoveResult, error)
	NetworkList(ctx context.Context, options client.NetworkListOptions) (client.NetworkListResult, error)
	ContainerCreate(ctx context.Context, options client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	ContainerStart(ctx context.Context, container string, options client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerRemove(ctx context.Context, container string, options client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	ContainerStop(ctx context.Context, container string, options client.ContainerStopOptions) (client.ContainerStopResult, error)
	ContainerWait(ctx context.Context, container string, options client.ContainerWaitOptions) client.ContainerWaitResult
	ContainerLogs(ctx context.Context, container string, options client.ContainerLogsOptions) (client.ContainerLogsResult, error)
	ContainerInspect(ctx context.Context, container string, options client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerList(ctx context.Context, options client.ContainerListOptions) (client.ContainerListResult, error)
	ContainerTop(ctx context.Context, container string, options client.ContainerTopOptions) (client.ContainerTopResult, error)
	Events(ctx context.Context, options client.EventsListOptions) client.EventsResult
}

var _ Client = (*client.Client)(nil)

// Container is a container Run launched.
type Container struct {
	ID   string
	Name string
	// ImageRef is the reference the caller asked for; ImageID what it
	// resolved to (and what the container runs); ImageDigest the repository
	// digest (name@sha256:...) when the image has one.
	ImageRef    string
	ImageID     string
	ImageDigest string
	// Network is the network the container joined ("none" for none).
	Network string
	// Spec is what was created.
	Spec *Spec

	cli            Client
	createdNetwork bool
}

// Run launches a hardened container from image on the daemon behind cli:
//
//  1. reads the daemon's security options (AppArmor, SELinux, userns);
//  2. resolves image to its ID once and launches that ID (never pulls);
//  3. builds the spec with Build (secure defaults, then opts, then every
//     rule; the image's USER decides the user rule unless WithUser is given);
//  4. joins DefaultNetwork (or the one WithNetwork names), creating it with
//     inter-container traffic disabled when missing;
//  5. creates and starts the container.
//
// On any failure after the first object was created, Run removes everything
// it created (container, network) before returning the error, even when ctx
// was cancelled.
func Run(ctx context.Context, cli Client, image string, opts ...Option) (*Container, error) {
	c, err := create(ctx, cli, image, opts)
	if err == nil {
		err = c.Start(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", image, err)
	}
	return c, nil
}

// Create does what Run does except starting the container: call Start on
// the result. It lets a caller register a wait (WaitNext) or attach before
// the container runs. Create removes what it made if it fails.
func Create(ctx context.Context, cli Client, image string, opts ...Option) (*Container, error) {
	c, err := create(ctx, cli, image, opts)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", image, err)
	}
	return c, nil
}

func create(ctx context.Context, cli Client, image string, opts []Option) (_ *Container, err error) {
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading daemon info: %w", err)
	}
	// A unix-socket daemon on this machine is local (mount sources are
	// resolved here) and its socket is one the container must not get.
	host := HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions).ForDaemon(cli, info.Info)

	facts, err := resolveImage(ctx, cli, image)
	if err != nil {
		return nil, err
	}

	all := append([]Option{WithNetwork(DefaultNetwork), WithHostFacts(host), WithImageFacts(facts)}, opts...)
	sp, digest, err := specForImage(image, facts, all)
	if err != nil {
		return nil, err
	}

	c := &Container{Name: sp.Name, ImageRef: image, ImageID: facts.ID, ImageDigest: digest,
		Network: string(sp.HostConfig.NetworkMode), Spec: sp, cli: cli}
	defer func() {
		if err != nil {
			if cerr := c.cleanup(ctx); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
	}()

	if err := c.ensureNetwork(ctx, sp); err != nil {
		return nil, err
	}
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: sp.Name, Config: sp.Config, HostConfig: sp.HostConfig, NetworkingConfig: sp.Networking,
	})
	if err != nil {
		return nil, fmt.Errorf("creating container: %w", err)
	}
	c.ID = created.ID
	return c, nil
}

// Start starts a container made by Create. If the start fails, Start
// removes the container and the network Create made for it, so a failed
// launch leaves nothing behind.
func (c *Container) Start(ctx context.Context) (err error) {
	if _, err = c.cli.ContainerStart(ctx, c.ID, client.ContainerStartOptions{}); err != nil {
		err = fmt.Errorf("starting container %s: %w", c.Name, err)
		if cerr := c.cleanup(ctx); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return err
	}
	return nil
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "safedock-" + hex.EncodeToString(b)
}

// ensureNetwork creates the container's user-defined network with ICC off
// when it does not exist, and verifies ICC is off when it does.
func (c *Container) ensureNetwork(ctx context.Context, sp *Spec) error {
	name := string(sp.HostConfig.NetworkMode)
	switch {
	case name == "none" || name == "host" || name == "bridge" || name == "default" || name == "":
		return nil
	case strings.HasPrefix(name, "container:"):
		return nil
	}
	res, err := c.cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	if err == nil {
		if res.Network.Options[ICCOption] != "false" {
			r := sp.Waivers.Apply(rule.ContainerNetworkIsolation, rule.Fail("network allows inter-container traffic", ""))
			if r.Status != rule.StatusWaived {
				return &rule.Violation{Rule: rule.ContainerNetworkIsolation,
					Reason: fmt.Sprintf("network %q exists with inter-container traffic enabled", name),
					Detail: fmt.Sprintf("Options[%s]=%q", ICCOption, res.Network.Options[ICCOption]),
					Fix:    "use another network name (Run creates it isolated) or recreate it with -o " + ICCOption + "=false"}
			}
		}
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspecting network %s: %w", name, err)
	}
	_, err = c.cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{
		Driver:  "bridge",
		Options: map[string]string{ICCOption: "false"},
		Labels:  map[string]string{LabelManaged: "true"},
	})
	if err != nil {
		if cerrdefs.IsConflict(err) {
			return nil // created concurrently by another launch; verified next time
		}
		return fmt.Errorf("creating network %s: %w", name, err)
	}
	c.createdNetwork = true
	return nil
}

// cleanup removes what a failed launch created. It runs even when ctx was
// cancelled, with its own deadline.
func (c *Container) cleanup(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var errs []error
	// The daemon may have created the container even if the create call
	// returned an error (e.g. the context was cancelled mid-request): remove
	// by name too.
	ref := c.ID
	if ref == "" {
		ref = c.Name
	}
	if ref != "" {
		if _, err := c.cli.ContainerRemove(cctx, ref, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing container %s after failed launch: %w", ref, err))
		}
	}
	if c.createdNetwork {
		if _, err := c.cli.NetworkRemove(cctx, c.Network, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network %s after failed launch: %w", c.Network, err))
		}
	}
	return errors.Join(errs...)
}

// Wait blocks until the container stops running and returns its exit code.
// With a restart policy the container may be started again afterwards. For
// a short-lived container whose exit code matters, register WaitNext
// before Start instead.
func (c *Container) Wait(ctx context.Context) (int64, error) {
	return c.wait(ctx, c.cli.ContainerWait(ctx, c.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning}))
}

// WaitNext registers, now, a wait for the container's next exit and returns
// a function that blocks until then and returns the exit code. Call it
// before Start so that a container that exits at once (and is restarted by
// its restart policy) cannot be missed.
//
// It reads the exit code from the daemon's "die" event rather than from the
// wait endpoint: with a restart policy, dockerd 20.10's wait can report 0
// when the restart manager has already restarted the container.
func (c *Container) WaitNext(ctx context.Context) func() (int64, error) {
	ectx, cancel := context.WithCancel(ctx)
	ev := c.cli.Events(ectx, client.EventsListOptions{Filters: client.Filters{}.Add("container", c.ID).Add("type", "container").Add("event", "die")})
	return func() (int64, error) {
		defer cancel()
		for {
			select {
			case m := <-ev.Messages:
				if m.Action != "die" {
					continue
				}
				code, err := strconv.ParseInt(m.Actor.Attributes["exitCode"], 10, 64)
				if err != nil {
					return -1, fmt.Errorf("waiting for %s: die event without an exit code: %w", c.Name, err)
				}
				return code, nil
			case err := <-ev.Err:
				if ctx.Err() != nil {
					return -1, fmt.Errorf("waiting for %s: %w", c.Name, ctx.Err())
				}
				return -1, fmt.Errorf("waiting for %s: %w", c.Name, err)
			}
		}
	}
}

func (c *Container) wait(ctx context.Context, w client.ContainerWaitResult) (int64, error) {
	select {
	case r := <-w.Result:
		if r.Error != nil && r.Error.Message != "" {
			return r.StatusCode, fmt.Errorf("waiting for %s: %s", c.Name, r.Error.Message)
		}
		return r.StatusCode, nil
	case err := <-w.Error:
		return -1, fmt.Errorf("waiting for %s: %w", c.Name, err)
	case <-ctx.Done():
		return -1, fmt.Errorf("waiting for %s: %w", c.Name, ctx.Err())
	}
}

// Logs copies the container's output to stdout and stderr. With follow it
// streams until the container stops or ctx ends.
func (c *Container) Logs(ctx context.Context, stdout, stderr io.Writer, follow bool) error {
	rc, err := c.cli.ContainerLogs(ctx, c.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow})
	if err != nil {
		return fmt.Errorf("logs of %s: %w", c.Name, err)
	}
	return copyLogs(c.Name, rc, stdout, stderr)
}

// copyLogs demultiplexes a log stream (no TTY) into stdout and stderr (nil
// discards) and closes it.
func copyLogs(name string, rc io.ReadCloser, stdout, stderr io.Writer) error {
	defer rc.Close()
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if _, err := stdcopy.StdCopy(stdout, stderr, rc); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("logs of %s: %w", name, err)
	}
	return nil
}

// Stop stops the container, killing it after timeout.
func (c *Container) Stop(ctx context.Context, timeout time.Duration) error {
	secs := int(timeout.Seconds())
	if _, err := c.cli.ContainerStop(ctx, c.ID, client.ContainerStopOptions{Timeout: &secs}); err != nil {
		return fmt.Errorf("stopping %s: %w", c.Name, err)
	}
	return nil
}

// Remove force-removes the container and its anonymous volumes, then the
// network Run created for it once no other container uses that network.
// Removing a container that is already gone is not an error.
func (c *Container) Remove(ctx context.Context) error {
	if _, err := c.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing %s: %w", c.Name, err)
	}
	return c.removeManagedNetwork(ctx)
}

func (c *Container) removeManagedNetwork(ctx context.Context) error {
	switch c.Network {
	case "none", "host", "bridge", "default", "":
		return nil
	}
	res, err := c.cli.NetworkInspect(ctx, c.Network, client.NetworkInspectOptions{})
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("inspecting network %s: %w", c.Network, err)
	}
	if res.Network.Labels[LabelManaged] != "true" || len(res.Network.Containers) > 0 {
		return nil
	}
	if _, err := c.cli.NetworkRemove(ctx, c.Network, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) && !strings.Contains(err.Error(), "active endpoints") {
		return fmt.Errorf("removing network %s: %w", c.Network, err)
	}
	return nil
}

// specForImage builds the spec for a resolved image (ID from facts), names
// it when opts did not, and records the reference the caller asked for, the
// ID and the repository digest (returned; "" when the image has none) in
// its labels. Run and Deploy share it.
func specForImage(image string, facts ImageFacts, opts []Option) (*Spec, string, error) {
	sp, err := Build(facts.ID, opts...)
	if err != nil {
		return nil, "", err
	}
	if sp.Name == "" {
		sp.Name = randomName()
	}
	sp.Config.Labels[LabelImageRef] = image
	sp.Config.Labels[LabelImageID] = facts.ID
	digest := ""
	if len(facts.RepoDigests) > 0 {
		digest = facts.RepoDigests[0]
		sp.Config.Labels[LabelImageDigest] = digest
	}
	return sp, digest, nil
}
