package hardening_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestLaunchUnderATakenNameRemovesNothing(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("name conflict", func(t *testing.T) {
		name := dockertest.Name("db")
		db := dockertest.StartForeign(t, cli, img.Ref, name)
		_, err := hardening.Run(ctx, cli, img.Ref, hardening.WithName(name), hardening.WithNetwork(netName), hardening.WithNonRootUser())
		require.Error(t, err)
		t.Logf("refused: %v", err)
		db.CheckUntouched(t, cli)
	})
	t.Run("refused by a rule", func(t *testing.T) {
		name := dockertest.Name("db")
		db := dockertest.StartForeign(t, cli, img.Ref, name)
		open := dockertest.Name("open")
		nres, err := cli.NetworkCreate(ctx, open, client.NetworkCreateOptions{Driver: "bridge"})
		require.NoError(t, err)
		dockertest.RemoveNetworkOnCleanup(t, cli, nres.ID)
		_, err = hardening.Run(ctx, cli, img.Ref, hardening.WithName(name), hardening.WithNetwork(open), hardening.WithNonRootUser())
		var v *rule.Violation
		require.ErrorAs(t, err, &v)
		assert.Equal(t, rule.ContainerNetworkIsolation, v.Rule)
		db.CheckUntouched(t, cli)
		_, err = cli.NetworkInspect(ctx, nres.ID, client.NetworkInspectOptions{})
		assert.NoError(t, err, "the caller's network is kept")
	})
	t.Run("start fails", func(t *testing.T) {
		// A launch that gets as far as creating its own container, then
		// fails, removes that container by ID and nothing else.
		name := dockertest.Name("db")
		db := dockertest.StartForeign(t, cli, img.Ref, name)
		_, err := hardening.Run(ctx, failingStart{Client: cli}, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(),
			hardening.WithAddedLabels(map[string]string{"test.owner": name}))
		require.ErrorContains(t, err, "injected")
		db.CheckUntouched(t, cli)
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", "test.owner="+name)})
		require.NoError(t, err)
		assert.Empty(t, list.Items, "the launch's own container was removed")
	})
}

// stepFault injects one fault at the k-th daemon call of a launch (Info,
// ImageInspect, NetworkList, NetworkCreate, ContainerCreate,
// ContainerStart, counted in that order) and then lets every call through.
type stepFault struct {
	hardening.Client
	at     int
	mode   string // "fail", "lost" (the daemon did it, the answer is lost), "cancel", "cancel-after"
	cancel context.CancelFunc

	mu    sync.Mutex
	n     int
	fired bool
}

func (s *stepFault) hit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.at && !s.fired {
		s.fired = true
		return true
	}
	return false
}

// around runs do (the real call) and injects the fault when this is step k.
func around[T any](s *stepFault, ctx context.Context, do func() (T, error)) (T, error) {
	var zero T
	if !s.hit() {
		return do()
	}
	switch s.mode {
	case "fail":
		return zero, errors.New("injected fault")
	case "lost":
		_, _ = do()
		return zero, errors.New("injected fault: answer lost")
	case "cancel":
		s.cancel()
		return zero, ctx.Err()
	default: // cancel-after
		r, err := do()
		s.cancel()
		if err != nil {
			return r, err
		}
		return zero, context.Canceled
	}
}

func (s *stepFault) Info(ctx context.Context, o client.InfoOptions) (client.SystemInfoResult, error) {
	return around(s, ctx, func() (client.SystemInfoResult, error) { return s.Client.Info(ctx, o) })
}
func (s *stepFault) ImageInspect(ctx context.Context, img string, o ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	return around(s, ctx, func() (client.ImageInspectResult, error) { return s.Client.ImageInspect(ctx, img, o...) })
}
func (s *stepFault) NetworkCreate(ctx context.Context, name string, o client.NetworkCreateOptions) (client.NetworkCreateResult, error) {
	return around(s, ctx, func() (client.NetworkCreateResult, error) {
		return s.Client.NetworkCreate(context.WithoutCancel(ctx), name, o)
	})
}
func (s *stepFault) ContainerCreate(ctx context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	return around(s, ctx, func() (client.ContainerCreateResult, error) {
		return s.Client.ContainerCreate(context.WithoutCancel(ctx), o)
	})
}
func (s *stepFault) ContainerStart(ctx context.Context, id string, o client.ContainerStartOptions) (client.ContainerStartResult, error) {
	return around(s, ctx, func() (client.ContainerStartResult, error) {
		return s.Client.ContainerStart(context.WithoutCancel(ctx), id, o)
	})
}
func (s *stepFault) NetworkList(ctx context.Context, o client.NetworkListOptions) (client.NetworkListResult, error) {
	if _, ok := o.Filters["name"]; !ok {
		return s.Client.NetworkList(ctx, o) // cleanup's list by label is not a launch step
	}
	return around(s, ctx, func() (client.NetworkListResult, error) { return s.Client.NetworkList(ctx, o) })
}

// assertLaunchLeftNothing checks that no container labelled test.owner=owner
// and no network named netName exist.
func assertLaunchLeftNothing(t *testing.T, cli *client.Client, owner, netName string) {
	t.Helper()
	ctx := context.Background()
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", "test.owner="+owner)})
	require.NoError(t, err)
	for _, c := range list.Items {
		dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
	}
	assert.Empty(t, list.Items, "containers left behind")
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("name", netName)})
	require.NoError(t, err)
	for _, n := range nets.Items {
		dockertest.RemoveNetworkOnCleanup(t, cli, n.ID)
	}
	assert.Empty(t, nets.Items, "networks left behind")
}

// TestAFaultAtEveryStepLeavesNothing fails, loses the answer of, or cancels
// each daemon call of a launch in turn, on the real daemon, and checks that
// nothing of the launch is left.
func TestAFaultAtEveryStepLeavesNothing(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	for _, mode := range []string{"fail", "lost", "cancel", "cancel-after"} {
		for k := 1; ; k++ {
			owner, netName := dockertest.Name("step"), dockertest.Name("net")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			f := &stepFault{Client: cli, at: k, mode: mode, cancel: cancel}
			c, err := hardening.Run(ctx, f, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(),
				hardening.WithCmd("sleep"), hardening.WithAddedLabels(map[string]string{"test.owner": owner}))
			cancel()
			if !f.fired {
				// k is past the last step: the launch went through.
				require.NoError(t, err)
				require.NoError(t, c.Remove(context.Background()))
				assertLaunchLeftNothing(t, cli, owner, netName)
				t.Logf("%s: %d steps", mode, k-1)
				break
			}
			require.Error(t, err, "%s at step %d", mode, k)
			if c != nil {
				dockertest.RemoveContainerOnCleanup(t, cli, c.ID)
			}
			t.Logf("%s at step %d: %v", mode, k, err)
			assertLaunchLeftNothing(t, cli, owner, netName)
			require.Less(t, k, 20)
		}
	}
}

// lateCreate is a create that reaches the daemon only after the launch gave
// up on it and after cleanup's first look for the launch's containers, as
// a create stuck in a slow daemon lands after the client went away.
type lateCreate struct {
	hardening.Client
	cancel         context.CancelFunc
	listed, landed chan struct{}
	once           sync.Once
}

func (l *lateCreate) ContainerCreate(ctx context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	l.cancel()
	<-ctx.Done() // the launcher stops waiting for the answer
	go func() {
		defer close(l.landed)
		<-l.listed
		_, _ = l.Client.ContainerCreate(context.Background(), o)
	}()
	return client.ContainerCreateResult{}, ctx.Err()
}

func (l *lateCreate) ContainerList(ctx context.Context, o client.ContainerListOptions) (client.ContainerListResult, error) {
	r, err := l.Client.ContainerList(ctx, o)
	byLaunch := false
	for f := range o.Filters["label"] {
		byLaunch = byLaunch || strings.HasPrefix(f, hardening.LabelLaunch+"=")
	}
	if !byLaunch {
		return r, err // not the cleanup's look for the launch's containers
	}
	l.once.Do(func() {
		close(l.listed)
		<-l.landed
	})
	return r, err
}

func TestACreateThatLandsAfterTheLaunchGaveUpIsRemoved(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	owner, netName := dockertest.Name("late"), dockertest.Name("net")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := &lateCreate{Client: cli, cancel: cancel, listed: make(chan struct{}), landed: make(chan struct{})}
	_, err := hardening.Run(ctx, l, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(),
		hardening.WithAddedLabels(map[string]string{"test.owner": owner}))
	require.ErrorIs(t, err, context.Canceled)
	select {
	case <-l.landed:
	case <-time.After(30 * time.Second):
		t.Fatal("the cleanup never looked for the launch's containers")
	}
	assertLaunchLeftNothing(t, cli, owner, netName)
}

// TestASiblingsRemoveKeepsTheSharedNetwork: a stopped container on a
// managed network starts again after another container on it is removed;
// the last container's Remove removes the network.
func TestASiblingsRemoveKeepsTheSharedNetwork(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	stopped := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("status"))
	code, err := stopped.Wait(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 0, code)
	sibling := launch(t, cli, img.Ref, netName, hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	require.Equal(t, stopped.NetworkID, sibling.NetworkID)

	require.NoError(t, sibling.Remove(ctx))
	_, err = cli.NetworkInspect(ctx, stopped.NetworkID, client.NetworkInspectOptions{})
	require.NoError(t, err, "the network a stopped container references is kept")
	_, err = cli.ContainerStart(ctx, stopped.ID, client.ContainerStartOptions{})
	require.NoError(t, err, "the stopped container starts again")
	_, err = stopped.Wait(ctx)
	require.NoError(t, err)

	require.NoError(t, stopped.Remove(ctx))
	_, err = cli.NetworkInspect(ctx, stopped.NetworkID, client.NetworkInspectOptions{})
	assert.True(t, cerrdefs.IsNotFound(err), "the last Remove removes the managed network (err=%v)", err)
}

// rivalCreate creates a same-name isolated network just before the
// launch's own create, as another process launching at the same moment
// would: the rival is older.
type rivalCreate struct {
	hardening.Client
	rival string
}

func (r *rivalCreate) NetworkCreate(ctx context.Context, name string, o client.NetworkCreateOptions) (client.NetworkCreateResult, error) {
	res, err := r.Client.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
	if err != nil {
		return res, err
	}
	r.rival = res.ID
	return r.Client.NetworkCreate(ctx, name, o)
}

func isolatedNetworks(t *testing.T, cli *client.Client) []string {
	t.Helper()
	list, err := cli.NetworkList(context.Background(), client.NetworkListOptions{Filters: client.Filters{}.Add("name", hardening.DefaultNetwork)})
	require.NoError(t, err)
	var ids []string
	for _, n := range list.Items {
		if n.Name == hardening.DefaultNetwork {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// TestFirstLaunchesShareOneNetwork runs on a throwaway dockerd, which has
// no safedock-isolated network yet.
func TestFirstLaunchesShareOneNetwork(t *testing.T) {
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	cli := d.Client
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	require.Empty(t, isolatedNetworks(t, cli))
	opts := []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("sleep")}

	const n = 8
	cs := make([]*hardening.Container, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cs[i], errs[i] = hardening.Run(ctx, cli, img.Ref, opts...) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "parallel first launch %d", i)
	}
	nets := isolatedNetworks(t, cli)
	require.Len(t, nets, 1, "exactly one %s network", hardening.DefaultNetwork)
	for _, c := range cs {
		assert.Equal(t, nets[0], c.NetworkID)
	}
	later, err := hardening.Run(ctx, cli, img.Ref, opts...)
	require.NoError(t, err, "a later launch works")
	assert.Equal(t, nets[0], later.NetworkID)

	for _, c := range append(cs, later) {
		require.NoError(t, c.Remove(ctx))
	}
	require.Empty(t, isolatedNetworks(t, cli), "the last Remove removed the managed network")

	t.Run("another process created it at the same time", func(t *testing.T) {
		rc := &rivalCreate{Client: cli}
		c, err := hardening.Run(ctx, rc, img.Ref, opts...)
		require.NoError(t, err)
		require.NotEmpty(t, rc.rival)
		assert.Equal(t, rc.rival, c.NetworkID, "the older network is kept and joined by ID")
		assert.Equal(t, []string{rc.rival}, isolatedNetworks(t, cli), "the launch removed its own duplicate")
		require.NoError(t, c.Remove(ctx))
		assert.Equal(t, []string{rc.rival}, isolatedNetworks(t, cli), "a network safedock did not create is kept")

		// Two same-name networks made by hand: the launch joins the
		// oldest and removes neither. Engines since API 1.44 (Docker 25)
		// refuse a second network of a name, so there it cannot arise.
		second, err := cli.NetworkCreate(ctx, hardening.DefaultNetwork, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
		if err != nil {
			require.True(t, cerrdefs.IsConflict(err), "a refused duplicate is a conflict: %v", err)
			t.Logf("this engine refuses duplicate network names (%v): nothing more to show", err)
			return
		}
		dockertest.RemoveNetworkOnCleanup(t, cli, second.ID)
		require.Len(t, isolatedNetworks(t, cli), 2)
		c, err = hardening.Run(ctx, cli, img.Ref, opts...)
		require.NoError(t, err, "the launch works although the name is ambiguous")
		assert.Equal(t, rc.rival, c.NetworkID, "the oldest is joined")
		require.NoError(t, c.Remove(ctx))
		assert.ElementsMatch(t, []string{rc.rival, second.ID}, isolatedNetworks(t, cli))
	})
}

// freezeAtCreate freezes the throwaway dockerd (SIGSTOP by PID) just
// before the create is sent, as a daemon that stops answering mid-launch.
type freezeAtCreate struct {
	hardening.Client
	pid int
}

func (f freezeAtCreate) ContainerCreate(ctx context.Context, o client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	_ = syscall.Kill(f.pid, syscall.SIGSTOP)
	return f.Client.ContainerCreate(ctx, o)
}

// TestACreateQueuedInAFrozenDaemonIsSweptLater: the create that a frozen
// daemon carries out after it resumes, when the launch has long given up,
// leaves a never-started container; the next launch removes it by ID.
func TestACreateQueuedInAFrozenDaemonIsSweptLater(t *testing.T) {
	defer hardening.SetSweepMargin(0)()
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	cli := d.Client
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	thaw := func() { _ = syscall.Kill(d.PID, syscall.SIGCONT) }
	t.Cleanup(thaw)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := hardening.Run(ctx, freezeAtCreate{Client: cli, pid: d.PID}, img.Ref, hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	took := time.Since(start)
	thaw()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "may be left", "the error names what may be left")
	assert.Less(t, took, 20*time.Second, "bounded: deadline, grace and cleanup")
	t.Logf("took %s: %v", took, err)

	// The daemon resumes and carries out the queued create.
	var orphan string
	for range 100 {
		list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true})
		require.NoError(t, err)
		if len(list.Items) > 0 {
			orphan = list.Items[0].ID
			assert.EqualValues(t, "created", list.Items[0].State)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if orphan == "" {
		t.Log("the daemon dropped the queued create: nothing to sweep")
	}
	later, err := hardening.Run(context.Background(), cli, img.Ref, hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	require.NoError(t, err)
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true})
	require.NoError(t, err)
	require.Len(t, list.Items, 1, "only the later launch's container is left")
	assert.Equal(t, later.ID, list.Items[0].ID)
	require.NoError(t, later.Remove(context.Background()))
}
