package hardening

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// LabelLaunch is the label every object Run, Create and Deploy create
// (container, network, service) carries: a random ID of that one call. A
// failed call removes only objects with its own ID (or whose ID the daemon
// returned to it), never an object found by a name the caller chose.
const LabelLaunch = "io.safedock.launch"

// LabelStartBy records, on a container, the time after which its launch
// will never start it (Run: the deadline of its ctx, which also bounds its
// start; WithStartBy). A container still only created after that time was
// abandoned by its launch: its create reached the daemon after the launch
// gave up (a daemon that stopped answering, then resumed). Later launches
// on the daemon remove such containers (never a container that ever
// started: only state "created", and without force).
const LabelStartBy = "io.safedock.start-by"

// sweepMargin is how long past its start-by time a created container is
// left alone, for clocks that disagree between launching machines.
var sweepMargin = time.Minute

// WithStartBy promises that the container is started before t or never,
// and records t in the label io.safedock.start-by, so that a later launch
// can remove it if this one gave up after its create reached the daemon.
// Run sets it to its ctx's deadline; give it to Create only when Start
// runs under the same deadline.
func WithStartBy(t time.Time) Option {
	return func(sp *Spec) error {
		sp.Config.Labels[LabelStartBy] = t.UTC().Format(time.RFC3339Nano)
		return nil
	}
}

// sweepAbandoned removes, by ID, the containers that a launch abandoned
// (see LabelStartBy). It is best-effort: errors are ignored.
func sweepAbandoned(ctx context.Context, cli Client) {
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true,
		Filters: client.Filters{}.Add("label", LabelStartBy).Add("status", "created")})
	if err != nil {
		return
	}
	now := time.Now()
	for _, it := range list.Items {
		by, err := time.Parse(time.RFC3339Nano, it.Labels[LabelStartBy])
		if err != nil || it.State != "created" || !by.Add(sweepMargin).Before(now) {
			continue
		}
		// Without force: one that started meanwhile is refused.
		_, _ = cli.ContainerRemove(ctx, it.ID, client.ContainerRemoveOptions{RemoveVolumes: true})
	}
}

var launchIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$`) })

// NewLaunchID returns a random launch ID for WithLaunchID.
func NewLaunchID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WithLaunchID sets the launch ID (label io.safedock.launch) instead of a
// random one, so a caller can name what an interrupted launch may have left:
// the objects with that label. Run, Create and Deploy generate one when it
// is not given. Use a fresh ID (NewLaunchID) for every call: cleanup
// removes what carries it.
func WithLaunchID(id string) Option {
	return func(sp *Spec) error {
		if !launchIDPattern().MatchString(id) {
			return fmt.Errorf("launch ID %q: want 1 to 64 of [a-zA-Z0-9_.-]", id)
		}
		sp.Config.Labels[LabelLaunch] = id
		return nil
	}
}

// daemonLocks serialize, within this process, the launches that create,
// join or remove the same network on the same daemon.
var daemonLocks sync.Map // key string -> chan struct{} (capacity 1)

func daemonKey(cli any) string {
	if h, ok := cli.(interface{ DaemonHost() string }); ok {
		return h.DaemonHost()
	}
	return fmt.Sprintf("%p", cli)
}

// lockNetwork takes the in-process lock of network name on the daemon
// behind cli, or gives up when ctx ends. The returned function releases it.
func lockNetwork(ctx context.Context, cli any, name string) (func(), error) {
	v, _ := daemonLocks.LoadOrStore(daemonKey(cli)+"\x00"+name, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another launch on network %s: %w", name, ctx.Err())
	}
}

// networksNamed lists the networks whose name is exactly name (the
// daemon's name filter matches substrings), oldest first (ties: lowest ID).
func networksNamed(ctx context.Context, cli Client, name string) ([]network.Summary, error) {
	res, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("name", name)})
	if err != nil {
		return nil, fmt.Errorf("listing networks named %s: %w", name, err)
	}
	var out []network.Summary
	for _, n := range res.Items {
		if n.Name == name {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b network.Summary) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// isolatedNetwork returns the network named name that a launch joins, by
// ID, creating it (bridge, inter-container traffic off, labelled with
// launchID) when none exists. created reports that this call created the
// network that is used.
//
// Creation is race-free: within the process launches on the same daemon
// and network take turns (the caller holds lockNetwork); across processes,
// after creating, the call lists the networks of that name, keeps the oldest
// (ties: lowest ID), and removes its own if that is not the one kept.
func isolatedNetwork(ctx context.Context, cli Client, name, launchID string) (n network.Summary, created bool, err error) {
	nets, err := networksNamed(ctx, cli, name)
	if err != nil {
		return network.Summary{}, false, err
	}
	if len(nets) > 0 {
		return nets[0], false, nil
	}
	res, err := cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{
		Driver:  "bridge",
		Options: map[string]string{ICCOption: "false"},
		Labels:  map[string]string{LabelManaged: "true", LabelLaunch: launchID},
	})
	if err != nil && !cerrdefs.IsConflict(err) {
		return network.Summary{}, false, fmt.Errorf("creating network %s: %w", name, err)
	}
	mine := res.ID
	nets, err = networksNamed(ctx, cli, name)
	if err != nil || len(nets) == 0 {
		if err == nil {
			err = fmt.Errorf("network %s vanished right after it was created", name)
		}
		if mine != "" {
			err = errors.Join(err, removeNetworkByID(context.WithoutCancel(ctx), cli, name, mine))
		}
		return network.Summary{}, false, err
	}
	kept := nets[0]
	if mine != "" && kept.ID != mine {
		// Another process created one at the same time, earlier: use
		// that one and drop ours, which nothing references yet.
		if err := removeNetworkByID(ctx, cli, name, mine); err != nil {
			return network.Summary{}, false, err
		}
	}
	return kept, mine != "" && kept.ID == mine, nil
}

func removeNetworkByID(ctx context.Context, cli Client, name, id string) error {
	if _, err := cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("removing network %s (%s): %w", name, shortID(id), err)
	}
	return nil
}

// networkInUse reports whether any container, running or stopped,
// references the network with this ID.
// The daemon keys a created container's network by what its NetworkMode
// said (here the ID) and a started one's by name, so both are asked (the
// filter's values add up).
func networkInUse(ctx context.Context, cli Client, name, id string) (bool, error) {
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("network", id, name)})
	if err != nil {
		return false, fmt.Errorf("listing the containers on network %s: %w", shortID(id), err)
	}
	return len(list.Items) > 0, nil
}

func shortID(id string) string { return id[:min(12, len(id))] }

// networkIsolation judges whether containers on network n (named name)
// cannot reach each other, and returns the violation when they can.
//
// On dockerd that is the bridge option ICCOption=false, as the network
// reports it. Podman (4.3, netavark 1.4) has no such option: it accepts
// ICCOption=false at create with a warning and stores it as isolate=true,
// which its API does not report back (neither the compatible
// /networks/{id} nor libpod's /libpod/networks/{name}/json) and which only
// separates networks, not the containers on one. Measured on Debian
// bookworm's podman 4.3.1: a container reached another's port on the same
// network, and from another isolate=true network too. So on Podman no
// bridge network passes, fail-closed, and the violation says why; a caller
// that accepts it waives rule.ContainerNetworkIsolation.
func networkIsolation(ctx context.Context, cli any, name string, n network.Summary) *rule.Violation {
	if n.Options[ICCOption] == "false" {
		return nil
	}
	if engine := podmanEngine(ctx, cli); engine != "" {
		return &rule.Violation{Rule: rule.ContainerNetworkIsolation,
			Reason: fmt.Sprintf("%s cannot disable traffic between containers on network %q", engine, name),
			Detail: fmt.Sprintf("network %s: Podman's bridge networks have no inter-container traffic option (%s=false is stored as isolate=true, which separates networks, not the containers on one)", shortID(n.ID), ICCOption),
			Fix:    `use network "none", or waive ` + string(rule.ContainerNetworkIsolation) + " for containers that may reach each other on this network"}
	}
	return &rule.Violation{Rule: rule.ContainerNetworkIsolation,
		Reason: fmt.Sprintf("network %q exists with inter-container traffic enabled", name),
		Detail: fmt.Sprintf("network %s: Options[%s]=%q", shortID(n.ID), ICCOption, n.Options[ICCOption]),
		Fix:    "use another network name (Run creates it isolated) or recreate it with -o " + ICCOption + "=false"}
}

// podmanComponent is the name Podman gives itself among /version's
// components.
const podmanComponent = "Podman Engine"

// podmanEngine returns "Podman Engine <version>" when the daemon behind
// cli is Podman (from /version's components), and "" when it is not or
// cli cannot ask (a client that does not expose ServerVersion is judged
// as dockerd: on Podman that check fails too, with dockerd's reason).
func podmanEngine(ctx context.Context, cli any) string {
	vc, ok := cli.(interface {
		ServerVersion(context.Context, client.ServerVersionOptions) (client.ServerVersionResult, error)
	})
	if !ok {
		return ""
	}
	v, err := vc.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return ""
	}
	for _, c := range v.Components {
		if c.Name == podmanComponent {
			return strings.TrimSpace(c.Name + " " + c.Version)
		}
	}
	return ""
}
