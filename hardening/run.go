package hardening

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"

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
	ContainerRestart(ctx context.Context, container string, options client.ContainerRestartOptions) (client.ContainerRestartResult, error)
	ExecCreate(ctx context.Context, container string, options client.ExecCreateOptions) (client.ExecCreateResult, error)
	ExecAttach(ctx context.Context, execID string, options client.ExecAttachOptions) (client.ExecAttachResult, error)
	ExecInspect(ctx context.Context, execID string, options client.ExecInspectOptions) (client.ExecInspectResult, error)
	NetworkConnect(ctx context.Context, network string, options client.NetworkConnectOptions) (client.NetworkConnectResult, error)
}

var _ Client = (*client.Client)(nil)

// Container is a container Run or Create launched.
type Container struct {
	ID   string
	Name string
	// ImageRef is the reference the caller asked for; ImageID what it
	// resolved to (and what the container runs); ImageDigest the repository
	// digest (name@sha256:...) when the image has one.
	ImageRef    string
	ImageID     string
	ImageDigest string
	// Network is the network the container joined ("none" for none);
	// NetworkID its ID for a user-defined network (the container was
	// created on that ID, so a second network of the same name cannot
	// capture it).
	Network   string
	NetworkID string
	// LaunchID is the value of the io.safedock.launch label on what this
	// launch created (LabelLaunch).
	LaunchID string
	// Spec is what was created.
	Spec *Spec

	cli Client
	// ExtraNetworks are the networks joined besides Network
	// (WithAddedNetwork), by ID.
	ExtraNetworks []JoinedNetwork

	// connectAfterCreate: added networks to connect after the create
	// (engines before APIVersionMultiNetworkCreate); extraEndpoints their
	// settings.
	connectAfterCreate []string
	extraEndpoints     map[string]*network.EndpointSettings
	// userNetwork: the launch joined a user-defined network, which it may
	// have created (and labelled with LaunchID).
	userNetwork bool
	// createSent: ContainerCreate was sent; abandoned: its answer never
	// came back, so the container may exist without this launch knowing
	// its ID.
	createSent, abandoned bool
}

// Bounds of a failed launch's cleanup. They add to the caller's deadline:
// a launch whose ctx expires returns within about createGrace+cleanupTimeout.
const (
	// createGrace is how long a cancelled launch still waits for the
	// answer of a create already sent, to learn the ID of what it made.
	createGrace = 2 * time.Second
	// cleanupTimeout bounds the cleanup after a failed launch or deploy.
	cleanupTimeout = 8 * time.Second
)

// Run launches a hardened container from image on the daemon behind cli:
//
//  1. reads the daemon's security options (AppArmor, SELinux, userns);
//  2. resolves image to its ID once and launches that ID (never pulls);
//  3. builds the spec with Build (secure defaults, then opts, then every
//     rule; the image's USER decides the user rule unless WithUser is given);
//  4. joins DefaultNetwork (or the one WithNetwork names), by ID, creating
//     it with inter-container traffic disabled when no network of that
//     name exists (see Create for how concurrent launches share it);
//  5. creates and starts the container.
//
// Everything Run creates carries the label io.safedock.launch=<LaunchID>.
// On any failure, even when ctx was cancelled or expired, Run removes what
// it created, and only that: the container whose ID the daemon returned
// (or, if the create's answer never came, the containers labelled with
// this launch's ID), with its anonymous volumes, and the network it
// created, when no container (running or stopped) references it. It never
// removes anything by a name the caller chose: a name that is already taken,
// or a launch a rule refuses, leaves the existing container, its volumes
// and the network untouched. The cleanup is bounded (about 10 s past ctx's
// end); if it cannot finish, the error says what may be left. When ctx
// has a deadline, the container is labelled with it (LabelStartBy): should
// the daemon carry out the create only after Run gave up, a later launch
// on that daemon removes the never-started container.
func Run(ctx context.Context, cli Client, image string, opts ...Option) (*Container, error) {
	if dl, ok := ctx.Deadline(); ok {
		opts = append([]Option{WithStartBy(dl)}, opts...)
	}
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
// the container runs.
//
// Create makes at most two objects: the container (created, not started)
// and, when no network of that name exists yet, the isolated network. The
// network is shared: launches of this process on the same daemon take
// turns creating and joining it, and a launch that created one while
// another process did the same keeps the oldest (ties: the lowest ID),
// removes its own by ID, and joins the kept one by ID. If Create fails it
// removes what it made, exactly as Run does, and nothing else.
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
	sweepAbandoned(ctx, cli)

	facts, err := resolveImage(ctx, cli, image)
	if err != nil {
		return nil, err
	}

	all := append([]Option{WithNetwork(DefaultNetwork), WithHostFacts(host), WithImageFacts(facts)}, opts...)
	sp, digest, err := specForImage(image, facts, all)
	if err != nil {
		return nil, err
	}
	if err := sp.capabilitiesTakeEffect(); err != nil {
		return nil, err
	}
	if err := sp.limitsTakeEffect(info.Info); err != nil {
		return nil, err
	}

	c := &Container{Name: sp.Name, ImageRef: image, ImageID: facts.ID, ImageDigest: digest,
		Network: string(sp.HostConfig.NetworkMode), LaunchID: sp.Config.Labels[LabelLaunch], Spec: sp, cli: cli}
	defer func() {
		if err != nil {
			if cerr := c.cleanup(ctx); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
	}()

	unlock, err := c.joinNetwork(ctx, sp)
	if err != nil {
		return nil, err
	}
	// Hold the network's lock until the container references it, so a
	// sibling's Remove in this process cannot remove it in between.
	defer unlock()
	if err := c.createContainer(ctx, sp); err != nil {
		return nil, err
	}
	if err := c.connectNetworks(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// createContainer sends the create. If ctx ends first it still waits up to
// createGrace for the answer, so that a container the daemon made is known
// by its ID and can be removed.
func (c *Container) createContainer(ctx context.Context, sp *Spec) error {
	type result struct {
		id  string
		err error
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("creating container: %w", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	done := make(chan result, 1)
	c.createSent = true
	go func() {
		r, err := c.cli.ContainerCreate(rctx, client.ContainerCreateOptions{
			Name: sp.Name, Config: sp.Config, HostConfig: sp.HostConfig, NetworkingConfig: sp.Networking,
		})
		done <- result{r.ID, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return fmt.Errorf("creating container: %w", r.err)
		}
		c.ID = r.id
		return nil
	case <-ctx.Done():
	}
	t := time.NewTimer(createGrace)
	defer t.Stop()
	var r result
	select {
	case r = <-done:
	case <-t.C:
		cancel()
		r = <-done
		c.abandoned = r.err != nil
	}
	if r.err == nil {
		c.ID = r.id
	}
	return fmt.Errorf("creating container: %w", ctx.Err())
}

// Start starts a container made by Create. If the start fails (or ctx
// ends), Start removes this container by ID with its anonymous volumes,
// and the network Create made for it if no container references it, so a
// failed launch leaves nothing behind; it removes nothing else.
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

// userDefined reports whether mode names a user-defined network (not none,
// host, the default bridge or another container's network).
func userDefined(mode string) bool {
	switch mode {
	case "none", "host", "bridge", "default", "":
		return false
	}
	return !strings.HasPrefix(mode, "container:")
}

// JoinedNetwork is a network a container joined besides its main one
// (WithAddedNetwork).
type JoinedNetwork struct {
	Name, ID string
	Aliases  []string
}

// APIVersionMultiNetworkCreate is the Engine API version from which a
// container can be created on several networks at once; on older engines
// Create connects it to the added networks after creating it, before it
// starts.
const APIVersionMultiNetworkCreate = "1.44"

// joinNetwork finds (or creates, with ICC off) the container's
// user-defined networks (the main one and those WithAddedNetwork names)
// and points the spec at their IDs; it refuses an existing network with
// ICC on unless the rule is waived. It returns with the networks'
// in-process locks held: call the returned function once the container is
// created (and connected to its added networks).
func (c *Container) joinNetwork(ctx context.Context, sp *Spec) (func(), error) {
	name := string(sp.HostConfig.NetworkMode)
	extras := sp.extraNetworks()
	if len(extras) > 0 && !userDefined(name) {
		return nil, fmt.Errorf("%w: networks %s are added but the main network is %q: only a container on a user-defined network can join more", ErrInvalidSpec, strings.Join(extras, ", "), name)
	}
	if !userDefined(name) {
		return func() {}, nil
	}
	for _, x := range extras {
		c.ExtraNetworks = append(c.ExtraNetworks, JoinedNetwork{Name: x, Aliases: slices.Clone(endpoint(sp, x).Aliases)})
	}
	unlock, err := lockNetworks(ctx, c.cli, append([]string{name}, extras...))
	if err != nil {
		return nil, err
	}
	c.userNetwork = true
	ids := map[string]string{}
	for _, nn := range append([]string{name}, extras...) {
		n, _, err := isolatedNetwork(ctx, c.cli, nn, c.LaunchID)
		if err != nil {
			unlock()
			return nil, err
		}
		if v := networkIsolation(ctx, c.cli, nn, n); v != nil {
			r := sp.Waivers.Apply(rule.ContainerNetworkIsolation, rule.Fail("network allows inter-container traffic", ""))
			if r.Status != rule.StatusWaived {
				unlock()
				return nil, v
			}
		}
		ids[nn] = n.ID
	}
	c.NetworkID = ids[name]
	// The daemon stores the endpoint under the network's name and, at
	// start, resolves that name again unless the endpoint carries the
	// network's ID: give both, so a second network of the same name can
	// neither capture the container nor make its start fail as ambiguous.
	sp.HostConfig.NetworkMode = container.NetworkMode(c.NetworkID)
	ep := endpoint(sp, name)
	ep.NetworkID = c.NetworkID
	eps := map[string]*network.EndpointSettings{name: ep}
	multi := false
	if cv, ok := c.cli.(interface{ ClientVersion() string }); ok {
		multi = versions.GreaterThanOrEqualTo(cv.ClientVersion(), APIVersionMultiNetworkCreate)
	}
	for i, x := range extras {
		xep := endpoint(sp, x)
		xep.NetworkID = ids[x]
		c.ExtraNetworks[i].ID = ids[x]
		if multi {
			eps[x] = xep
		} else {
			c.connectAfterCreate = append(c.connectAfterCreate, x)
		}
	}
	c.extraEndpoints = map[string]*network.EndpointSettings{}
	for _, x := range extras {
		c.extraEndpoints[x] = sp.Networking.EndpointsConfig[x]
	}
	sp.Networking.EndpointsConfig = eps
	return unlock, nil
}

// connectNetworks connects a just-created container to the added networks
// an engine older than APIVersionMultiNetworkCreate could not take at
// create, by ID.
func (c *Container) connectNetworks(ctx context.Context) error {
	for _, x := range c.connectAfterCreate {
		ep := c.extraEndpoints[x]
		if _, err := c.cli.NetworkConnect(ctx, ep.NetworkID, client.NetworkConnectOptions{Container: c.ID, EndpointConfig: ep}); err != nil {
			return fmt.Errorf("connecting to network %s (%s): %w", x, shortID(ep.NetworkID), err)
		}
	}
	return nil
}

// lockNetworks takes the in-process locks of several networks, in name
// order (so two launches never wait on each other), and returns the
// function releasing them all.
func lockNetworks(ctx context.Context, cli any, names []string) (func(), error) {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, n := range names {
		u, err := lockNetwork(ctx, cli, n)
		if err != nil {
			release()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}

// cleanup removes what a failed launch created, and only that. It runs
// even when ctx was cancelled, with its own deadline (cleanupTimeout).
func (c *Container) cleanup(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	ids := []string{}
	if c.ID != "" {
		ids = append(ids, c.ID)
	} else if c.createSent {
		// The create may have reached the daemon although no answer
		// came back: find this launch's containers by its label. One
		// still in flight may land a moment later: look twice.
		for i := range 2 {
			found, err := c.launchContainers(cctx)
			if err != nil {
				errs = append(errs, err)
				break
			}
			ids = found
			if len(found) > 0 || !c.abandoned || i == 1 {
				break
			}
			select {
			case <-cctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	for _, id := range ids {
		if _, err := c.cli.ContainerRemove(cctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing container %s after failed launch: %w", shortID(id), err))
		}
	}
	if c.userNetwork {
		errs = append(errs, c.removeLaunchNetworks(cctx))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning up after failed launch (objects labelled %s=%s may be left): %w", LabelLaunch, c.LaunchID, err)
	}
	return nil
}

func (c *Container) launchContainers(ctx context.Context) ([]string, error) {
	list, err := c.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", LabelLaunch+"="+c.LaunchID)})
	if err != nil {
		return nil, fmt.Errorf("listing the containers of launch %s: %w", c.LaunchID, err)
	}
	ids := make([]string, 0, len(list.Items))
	for _, it := range list.Items {
		ids = append(ids, it.ID)
	}
	return ids, nil
}

// removeLaunchNetworks removes the networks labelled with this launch's ID
// that no container references.
func (c *Container) removeLaunchNetworks(ctx context.Context) error {
	unlock, err := lockNetworks(ctx, c.cli, c.networkNames())
	if err != nil {
		return err
	}
	defer unlock()
	list, err := c.cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("label", LabelLaunch+"="+c.LaunchID)})
	if err != nil {
		return fmt.Errorf("listing the networks of launch %s: %w", c.LaunchID, err)
	}
	var errs []error
	for _, n := range list.Items {
		errs = append(errs, removeIfUnused(ctx, c.cli, n.Name, n.ID))
	}
	return errors.Join(errs...)
}

// removeIfUnused removes the network by ID when no container, running or
// stopped, references it. A container that joined it meanwhile (from
// another process) makes the daemon refuse: the network is then kept.
func removeIfUnused(ctx context.Context, cli Client, name, id string) error {
	inUse, err := networkInUse(ctx, cli, name, id)
	if err != nil || inUse {
		return err
	}
	if _, err := cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil &&
		!cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) && !strings.Contains(err.Error(), "active endpoints") {
		return fmt.Errorf("removing network %s (%s): %w", name, shortID(id), err)
	}
	return nil
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

// Stop sends the container its stop signal (WithStopSignal; SIGTERM by
// default) and kills it when it has not exited after timeout (whole
// seconds; 0 kills at once). A negative timeout means the container's own
// stop timeout (WithStopTimeout), or the daemon's 10 s.
func (c *Container) Stop(ctx context.Context, timeout time.Duration) error {
	o := client.ContainerStopOptions{}
	if timeout >= 0 {
		secs := int(timeout.Seconds())
		o.Timeout = &secs
	}
	if _, err := c.cli.ContainerStop(ctx, c.ID, o); err != nil {
		return fmt.Errorf("stopping %s: %w", c.Name, err)
	}
	return nil
}

// Remove force-removes this container (by ID) and its anonymous volumes.
// Then, if the container's network is one safedock manages (label
// io.safedock.managed=true, such as DefaultNetwork), it removes that network
// by ID when no other container, running or stopped, references it. Named
// volumes, other containers and networks safedock did not create are never
// touched. Removing a container that is already gone is not an error.
func (c *Container) Remove(ctx context.Context) error {
	if c.ID == "" {
		return fmt.Errorf("removing %s: no container ID", c.Name)
	}
	if _, err := c.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing %s: %w", c.Name, err)
	}
	return c.removeManagedNetwork(ctx)
}

// networkNames lists the names of the main and added networks.
func (c *Container) networkNames() []string {
	out := []string{c.Network}
	for _, x := range c.ExtraNetworks {
		out = append(out, x.Name)
	}
	return out
}

func (c *Container) removeManagedNetwork(ctx context.Context) error {
	if c.NetworkID == "" {
		return nil
	}
	unlock, err := lockNetworks(ctx, c.cli, c.networkNames())
	if err != nil {
		return err
	}
	defer unlock()
	nets := append([]JoinedNetwork{{Name: c.Network, ID: c.NetworkID}}, c.ExtraNetworks...)
	var errs []error
	for _, n := range nets {
		if n.ID == "" {
			continue
		}
		res, err := c.cli.NetworkInspect(ctx, n.ID, client.NetworkInspectOptions{})
		if err != nil {
			if !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("inspecting network %s: %w", n.Name, err))
			}
			continue
		}
		if res.Network.Labels[LabelManaged] != "true" {
			continue
		}
		errs = append(errs, removeIfUnused(ctx, c.cli, n.Name, n.ID))
	}
	return errors.Join(errs...)
}

// LaunchSpec is the spec Run and Create launch for image, for a launcher
// of its own (swarm.Deploy turns it into a service): it resolves image to
// its ID once, never pulling (a missing image is ErrImageNotFound), builds
// the spec for that ID with WithImageFacts and then opts, names it when opts
// did not, labels it with the reference asked for, the ID, the repository
// digest (LabelImageDigest, when the image has one) and a launch ID
// (LabelLaunch), and refuses added capabilities a non-root process would
// not get. The host facts are the caller's to give (WithHostFacts).
func LaunchSpec(ctx context.Context, cli interface {
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
}, image string, opts ...Option) (*Spec, error) {
	facts, err := resolveImage(ctx, cli, image)
	if err != nil {
		return nil, err
	}
	sp, _, err := specForImage(image, facts, append([]Option{WithImageFacts(facts)}, opts...))
	if err != nil {
		return nil, err
	}
	if err := sp.capabilitiesTakeEffect(); err != nil {
		return nil, err
	}
	return sp, nil
}

// specForImage builds the spec for a resolved image (ID from facts), names
// it when opts did not, and records the reference the caller asked for, the
// ID, the repository digest (returned; "" when the image has none) and a
// launch ID (unless WithLaunchID gave one) in its labels. Create and LaunchSpec share it.
func specForImage(image string, facts ImageFacts, opts []Option) (*Spec, string, error) {
	sp, err := Build(facts.ID, opts...)
	if err != nil {
		return nil, "", err
	}
	if sp.Name == "" {
		sp.Name = randomName()
	}
	if sp.Config.Labels[LabelLaunch] == "" {
		sp.Config.Labels[LabelLaunch] = NewLaunchID()
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
