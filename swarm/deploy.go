package swarm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
)

// ErrNotSwarmManager is returned by Deploy when the engine is not a manager
// of an active swarm.
var ErrNotSwarmManager = errors.New("the engine is not a swarm manager")

// ErrTaskFailed is returned by Deploy when the service's task failed or was
// rejected before it ran.
var ErrTaskFailed = errors.New("service task failed")

// Service is a swarm service Deploy created.
type Service struct {
	ID   string
	Name string
	// ImageRef is the reference the caller asked for; ImageID what it
	// resolved to (and what the service runs); ImageDigest the repository
	// digest when the image has one.
	ImageRef    string
	ImageID     string
	ImageDigest string
	// APIVersion is the Engine API version the spec was written for.
	APIVersion string
	// LaunchID is the value of the io.safedock.launch label on the service
	// and on the networks Deploy created (hardening.LabelLaunch).
	LaunchID string
	// Spec is what was created; Gaps the rules it could not express.
	Spec swarmtypes.ServiceSpec
	Gaps []Gap

	cli Client
	// createdNetworks are the IDs (and names) of the overlays Deploy made.
	createdNetworks []createdNetwork
	// createSent: ServiceCreate was sent, so the service may exist even
	// if no ID came back.
	createSent bool
}

type createdNetwork struct{ id, name string }

// EngineAPIVersion returns the Engine API version a request from cli is
// served with: the lower of the server's version and the client's own.
func EngineAPIVersion(ctx context.Context, cli Client) (string, error) {
	v, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", fmt.Errorf("reading the engine version: %w", err)
	}
	api := v.APIVersion
	if cv, ok := cli.(interface{ ClientVersion() string }); ok {
		if c := cv.ClientVersion(); c != "" && !apiAtLeast(c, api) {
			api = c
		}
	}
	return api, nil
}

// Deploy creates a hardened swarm service from image on the swarm managed
// by the engine behind cli, and waits until its task runs (or has run to
// completion):
//
//  1. reads the engine's API version, security options and swarm state
//     (refusing an engine that is not a manager: ErrNotSwarmManager);
//  2. resolves image to its ID once and deploys that ID, so no node
//     resolves a tag on its own and no registry is queried;
//  3. builds the container profile with hardening.LaunchSpec (opts) and
//     turns it into a service with ServiceSpec (svc), for the engine's API
//     version; the gaps are in Service.Gaps;
//  4. creates the overlay network the profile names, encrypted, when it
//     does not exist, and resolves WithAddedSecret names to secret IDs;
//  5. creates the service and waits for its first task to run; a task that
//     fails or is rejected ends the wait with ErrTaskFailed.
//
// The service and the networks Deploy creates carry the label
// io.safedock.launch=<LaunchID>. On any failure, even when ctx was cancelled
// or expired, Deploy removes what it created and only that: the service by
// the ID the engine returned (or, when no answer came, the services
// labelled with this launch's ID) and the overlays it created, by ID. It
// never removes a service or network found by a name the caller chose: a
// service name that is taken leaves the existing service untouched. The
// cleanup has its own bound (about 45 s, most of it waiting for the
// service's containers to go).
func Deploy(ctx context.Context, cli Client, image string, opts []hardening.Option, svc ...ServiceOption) (*Service, error) {
	s, err := deploy(ctx, cli, image, opts, svc)
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", image, err)
	}
	return s, nil
}

func deploy(ctx context.Context, cli Client, image string, opts []hardening.Option, svcOpts []ServiceOption) (_ *Service, err error) {
	api, err := EngineAPIVersion(ctx, cli)
	if err != nil {
		return nil, err
	}
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading daemon info: %w", err)
	}
	if info.Info.Swarm.LocalNodeState != swarmtypes.LocalNodeStateActive || !info.Info.Swarm.ControlAvailable {
		return nil, fmt.Errorf("%w (swarm state %q)", ErrNotSwarmManager, info.Info.Swarm.LocalNodeState)
	}
	host := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)
	sp, err := hardening.LaunchSpec(ctx, cli, image, append([]hardening.Option{hardening.WithHostFacts(host)}, opts...)...)
	if err != nil {
		return nil, err
	}
	nets := map[string]*hardening.NetworkFacts{}
	if br, err := cli.NetworkInspect(ctx, "bridge", client.NetworkInspectOptions{}); err == nil {
		nets["bridge"] = &hardening.NetworkFacts{Name: "bridge", Driver: "bridge", ICC: br.Network.Options[hardening.ICCOption] != "false"}
	}
	all2 := append([]ServiceOption{WithAPIVersion(api), WithNetworkFacts(nets)}, svcOpts...)
	spec, gaps, err := ServiceSpec(sp, all2...)
	if err != nil {
		return nil, err
	}
	s := &Service{Name: sp.Name, ImageRef: image, ImageID: sp.Config.Labels[hardening.LabelImageID], ImageDigest: sp.Config.Labels[hardening.LabelImageDigest], APIVersion: api,
		LaunchID: sp.Config.Labels[hardening.LabelLaunch], Spec: spec, Gaps: gaps, cli: cli}
	defer func() {
		if err != nil {
			if cerr := s.cleanup(ctx); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}
	}()
	for _, n := range spec.TaskTemplate.Networks {
		if err := s.ensureOverlay(ctx, n.Target); err != nil {
			return nil, err
		}
	}
	if err := s.resolveSecrets(ctx); err != nil {
		return nil, err
	}
	s.createSent = true
	res, err := cli.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: s.Spec, QueryRegistry: false})
	if err != nil {
		return nil, fmt.Errorf("creating service: %w", err)
	}
	s.ID = res.ID
	if err := s.waitTask(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) resolveSecrets(ctx context.Context) error {
	cs := s.Spec.TaskTemplate.ContainerSpec
	for _, ref := range cs.Secrets {
		if ref.SecretID != "" {
			continue
		}
		list, err := s.cli.SecretList(ctx, client.SecretListOptions{Filters: client.Filters{}.Add("name", ref.SecretName)})
		if err != nil {
			return fmt.Errorf("looking up secret %s: %w", ref.SecretName, err)
		}
		for _, sec := range list.Items {
			if sec.Spec.Name == ref.SecretName {
				ref.SecretID = sec.ID
			}
		}
		if ref.SecretID == "" {
			return fmt.Errorf("secret %q not found: create it first (docker secret create %s -)", ref.SecretName, ref.SecretName)
		}
	}
	return nil
}

// ensureOverlay creates the service's overlay network, encrypted, when it
// does not exist. Predefined networks are left alone.
func (s *Service) ensureOverlay(ctx context.Context, name string) error {
	if name == "host" || name == "bridge" {
		return nil
	}
	if _, err := s.cli.NetworkInspect(ctx, name, client.NetworkInspectOptions{}); err == nil {
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspecting network %s: %w", name, err)
	}
	res, err := s.cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{
		Driver:  "overlay",
		Options: map[string]string{OverlayEncryptedOption: "true"},
		Labels:  map[string]string{hardening.LabelManaged: "true", hardening.LabelLaunch: s.LaunchID},
	})
	if err != nil {
		if cerrdefs.IsConflict(err) {
			return nil
		}
		return fmt.Errorf("creating encrypted overlay network %s: %w", name, err)
	}
	s.createdNetworks = append(s.createdNetworks, createdNetwork{id: res.ID, name: name})
	return nil
}

// waitTask polls the service's tasks until one runs or has completed.
func (s *Service) waitTask(ctx context.Context) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		tasks, err := s.cli.TaskList(ctx, client.TaskListOptions{Filters: client.Filters{}.Add("service", s.ID)})
		if err != nil {
			return fmt.Errorf("listing tasks of %s: %w", s.Name, err)
		}
		for _, t := range tasks.Items {
			switch t.Status.State {
			case swarmtypes.TaskStateRunning, swarmtypes.TaskStateComplete:
				return nil
			case swarmtypes.TaskStateFailed, swarmtypes.TaskStateRejected:
				return fmt.Errorf("%w: task %s %s: %s", ErrTaskFailed, t.ID, t.Status.State, cmp.Or(t.Status.Err, t.Status.Message))
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for a task of %s to run: %w", s.Name, ctx.Err())
		case <-tick.C:
		}
	}
}

// Logs copies the service's output (every task's) to stdout and stderr.
// With follow it streams until ctx ends.
func (s *Service) Logs(ctx context.Context, stdout, stderr io.Writer, follow bool) error {
	rc, err := s.cli.ServiceLogs(ctx, s.ID, client.ServiceLogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow})
	if err != nil {
		return fmt.Errorf("logs of %s: %w", s.Name, err)
	}
	defer rc.Close()
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if _, err := stdcopy.StdCopy(stdout, stderr, rc); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("logs of %s: %w", s.Name, err)
	}
	return nil
}

// Remove removes this service (by ID), waits (up to 30 s) until the engine
// has removed its tasks' containers, then removes, by ID, the networks
// Deploy created for it. Nothing else is touched. Removing a service that
// is already gone is not an error.
func (s *Service) Remove(ctx context.Context) error {
	var errs []error
	if s.ID != "" {
		if _, err := s.cli.ServiceRemove(ctx, s.ID, client.ServiceRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing service %s: %w", s.Name, err))
		} else {
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			errs = append(errs, s.waitContainersGone(wctx))
			cancel()
		}
	}
	for _, n := range s.createdNetworks {
		if _, err := s.cli.NetworkRemove(ctx, n.id, client.NetworkRemoveOptions{}); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("removing network %s (%s): %w", n.name, n.id[:min(12, len(n.id))], err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) waitContainersGone(ctx context.Context) error {
	for {
		list, err := s.cli.ContainerList(ctx, client.ContainerListOptions{All: true,
			Filters: client.Filters{}.Add("label", "com.docker.swarm.service.id="+s.ID)})
		if err == nil && len(list.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the tasks of %s to be removed: %w", s.Name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// cleanup removes what a failed deploy created, and only that, even when
// ctx was cancelled, with its own deadline.
func (s *Service) cleanup(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 45*time.Second)
	defer cancel()
	var errs []error
	if s.ID == "" && s.createSent {
		// The create may have reached the engine although the call
		// failed: look for this launch's service by its label, never by
		// the name (which may be someone else's service).
		list, err := s.cli.ServiceList(cctx, client.ServiceListOptions{Filters: client.Filters{}.Add("label", hardening.LabelLaunch+"="+s.LaunchID)})
		if err != nil {
			errs = append(errs, fmt.Errorf("listing the services of launch %s: %w", s.LaunchID, err))
		}
		for _, it := range list.Items {
			if it.Spec.Labels[hardening.LabelLaunch] == s.LaunchID {
				s.ID = it.ID
			}
		}
	}
	if err := s.Remove(cctx); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning up after failed deploy (objects labelled %s=%s may be left): %w", hardening.LabelLaunch, s.LaunchID, err)
	}
	return nil
}
