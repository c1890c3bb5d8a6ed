package tctest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestMain(m *testing.M) {
	// Ryuk, testcontainers' reaper, is an image it would pull: no registry
	// is reachable, and the tests remove what they create themselves.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	os.Exit(dockertest.Main(m))
}

// verifyHook is the PreStarts hook that keeps a container that breaks a
// rule from starting.
func verifyHook(cli hardening.Client) testcontainers.ContainerHook {
	return func(ctx context.Context, c testcontainers.Container) error {
		return hardening.Verify(ctx, cli, c.GetContainerID())
	}
}

// removeLabelled removes, by ID, every container that carries the test's
// label, whatever testcontainers did or did not clean up.
func removeLabelled(t *testing.T, cli *client.Client, owner string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", "test.owner="+owner)})
		if err != nil {
			t.Errorf("cleanup: listing the test's containers: %v", err)
			return
		}
		for _, c := range list.Items {
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
				t.Errorf("cleanup: removing %s: %v", c.ID, err)
			}
		}
	})
}

func TestTestcontainersWithModifiersAndVerify(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{NoHealthcheck: false})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	netName := dockertest.Name("net")
	nres, err := cli.NetworkCreate(ctx, netName, client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{hardening.ICCOption: "false"}})
	require.NoError(t, err)
	dockertest.RemoveNetworkOnCleanup(t, cli, nres.ID)

	mods, err := hardening.Modifiers(hardening.WithNonRootUser(), hardening.WithPidsLimit(64), hardening.WithMemory(64<<20))
	require.NoError(t, err)
	_, err = hardening.HostConfigModifier(hardening.WithUser("1000:1000"))
	require.ErrorIs(t, err, hardening.ErrModifierCannotApply, "the HostConfig-only modifier cannot set the user")

	request := func(owner string, later func(*container.HostConfig)) testcontainers.GenericContainerRequest {
		return testcontainers.GenericContainerRequest{Started: true, ContainerRequest: testcontainers.ContainerRequest{
			Image:          img.ID, // by ID: the image-pinned rule refuses a movable tag
			Cmd:            []string{"status"},
			Labels:         map[string]string{"test.owner": owner},
			Networks:       []string{netName},
			ConfigModifier: mods.Config,
			HostConfigModifier: func(hc *container.HostConfig) {
				mods.HostConfig(hc)
				if later != nil {
					later(hc)
				}
			},
			LifecycleHooks: []testcontainers.ContainerLifecycleHooks{{
				PreStarts: []testcontainers.ContainerHook{verifyHook(cli)},
			}},
		}}
	}

	t.Run("hardened in the kernel", func(t *testing.T) {
		owner := dockertest.Name("tc")
		removeLabelled(t, cli, owner)
		c, err := testcontainers.GenericContainer(ctx, request(owner, nil))
		require.NoError(t, err, "Verify lets the hardened container start")
		id := c.GetContainerID()
		wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
		defer wcancel()
		w := cli.ContainerWait(wctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case <-w.Result:
		case err := <-w.Error:
			require.NoError(t, err)
		}
		logs, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
		require.NoError(t, err)
		var out bytes.Buffer
		_, err = stdcopy.StdCopy(&out, &out, logs)
		logs.Close()
		require.NoError(t, err)
		t.Logf("probe inside the testcontainers container: %s", strings.TrimSpace(out.String()))
		var st dockertest.ProbeStatus
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(strings.Split(out.String(), "\n")[0])), &st), out.String())
		assert.Equal(t, 65534, st.UID)
		assert.Equal(t, "0000000000000000", st.CapEff, "CapEff")
		assert.Equal(t, "1", st.NoNewPrivs, "NoNewPrivs")
		assert.Equal(t, "64", st.PidsMax)
		assert.NoError(t, testcontainers.TerminateContainer(c))
	})

	t.Run("a later modifier that sets Privileged never starts", func(t *testing.T) {
		owner := dockertest.Name("tc")
		removeLabelled(t, cli, owner)
		c, err := testcontainers.GenericContainer(ctx, request(owner, func(hc *container.HostConfig) { hc.Privileged = true }))
		require.Error(t, err, "Verify stops the start")
		t.Logf("refused: %v", err)
		var v *rule.Violation
		require.ErrorAs(t, err, &v)
		assert.Contains(t, err.Error(), string(rule.ContainerPrivileged))
		list, lerr := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", "test.owner="+owner)})
		require.NoError(t, lerr)
		for _, it := range list.Items {
			assert.NotEqual(t, "running", string(it.State), "the privileged container never ran")
			ins, err := cli.ContainerInspect(ctx, it.ID, client.ContainerInspectOptions{})
			require.NoError(t, err)
			started := ins.Container.State.StartedAt
			assert.True(t, started == "" || strings.HasPrefix(started, "0001-01-01"), "the privileged container was never started (StartedAt %q)", started)
		}
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
	})
}
