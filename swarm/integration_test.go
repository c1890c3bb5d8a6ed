package swarm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/swarm"
)

// TestSwarm runs on one throwaway single-node swarm (never the shared
// daemon): deploy a hardened service and look inside its task, fail a
// deploy and find nothing left, audit the swarm.
func TestSwarm(t *testing.T) {
	d := dockertest.StartSwarm(t, dockertest.DaemonOptions{})
	cli := d.Client
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	require.NoError(t, dockertest.WaitSwarmReady(ctx, cli))
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	api, err := swarm.EngineAPIVersion(ctx, cli)
	require.NoError(t, err)
	t.Logf("engine API %s", api)

	t.Run("deploy is hardened in the kernel", func(t *testing.T) {
		s, err := swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("status"),
			hardening.WithPidsLimit(64), hardening.WithMemory(64 << 20)}, swarm.WithCPULimit(0.5))
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, s.Remove(context.Background())) })
		assert.Equal(t, img.ID, s.ImageID)
		assert.Equal(t, img.ID, s.Spec.TaskTemplate.ContainerSpec.Image, "deployed by the resolved image ID")
		for _, g := range s.Gaps {
			t.Logf("gap: %s", g)
		}

		var st dockertest.ProbeStatus
		var out string
		for range 300 { // up to a minute: a task starts slowly on a loaded machine
			var buf bytes.Buffer
			require.NoError(t, s.Logs(ctx, &buf, &buf, false))
			out = buf.String()
			if line, _, _ := strings.Cut(strings.TrimSpace(out), "\n"); line != "" && json.Unmarshal([]byte(line), &st) == nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("probe inside the swarm task: %s", strings.TrimSpace(out))
		require.NotEmpty(t, st.CapEff, "the task logged no probe status within a minute: %q", out)
		assert.Equal(t, "0000000000000000", st.CapEff, "CapEff")
		assert.Equal(t, "0000000000000000", st.CapPrm, "CapPrm")
		assert.Equal(t, "0000000000000000", st.CapBnd, "CapBnd")
		assert.Equal(t, 65534, st.UID)
		assert.Contains(t, st.WriteRoot, "read-only file system")
		assert.Equal(t, "ok", st.WriteTmp, "the tmpfs at /tmp is writable")
		assert.Equal(t, "64", st.PidsMax)
		assert.Equal(t, "67108864", st.MemoryLimit)
		assert.Equal(t, "2", st.Seccomp, "the daemon's default seccomp profile")
		_, nnpGap := findGap(s.Gaps, rule.ContainerNoNewPrivileges)
		if nnpGap {
			// The gap is real: this engine would have dropped the field.
			assert.Equal(t, "0", st.NoNewPrivs, "engine API %s cannot set no_new_privs on a task", api)
		} else {
			assert.Equal(t, "1", st.NoNewPrivs)
		}
		assert.Equal(t, !hardeningAPIAtLeast(api, swarm.APIVersionServicePrivileges), nnpGap)

		// Remove leaves nothing: the image can go right after.
		require.NoError(t, s.Remove(ctx))
		list, err := cli.ServiceList(ctx, client.ServiceListOptions{})
		require.NoError(t, err)
		assert.Empty(t, list.Items)
		cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
		require.NoError(t, err)
		assert.Empty(t, cs.Items)
	})

	t.Run("failed deploy leaves nothing", func(t *testing.T) {
		net := dockertest.Name("net")
		_, err := swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithNetwork(net)},
			swarm.WithAddedSecret("no_such_secret", ""))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no_such_secret")
		_, err = cli.NetworkInspect(ctx, net, client.NetworkInspectOptions{})
		assert.Error(t, err, "the overlay network Deploy created was removed")

		_, err = swarm.Deploy(ctx, cli, "safedock-no-such-image:latest", nil)
		assert.ErrorIs(t, err, hardening.ErrImageNotFound)
		_, err = swarm.Deploy(ctx, cli, img.Ref, nil)
		var v *rule.Violation
		assert.ErrorAs(t, err, &v, "root without a user or waiver is refused before anything is created")
		list, err := cli.ServiceList(ctx, client.ServiceListOptions{})
		require.NoError(t, err)
		assert.Empty(t, list.Items)
	})

	t.Run("a taken service name is kept", func(t *testing.T) {
		name := dockertest.Name("api")
		first, err := swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("sleep"), hardening.WithName(name)})
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, first.Remove(context.Background())) })
		_, err = swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("sleep"), hardening.WithName(name)})
		require.Error(t, err, "the name is taken")
		t.Logf("refused: %v", err)
		got, err := cli.ServiceInspect(ctx, name, client.ServiceInspectOptions{})
		require.NoError(t, err, "the existing service %s is still there", name)
		assert.Equal(t, first.ID, got.Service.ID, "the name still belongs to the existing service")
		assert.Equal(t, first.LaunchID, got.Service.Spec.Labels[hardening.LabelLaunch])
	})

	t.Run("audit", func(t *testing.T) {
		plain, secure := dockertest.Name("plain"), dockertest.Name("secure")
		_, err := cli.NetworkCreate(ctx, plain, client.NetworkCreateOptions{Driver: "overlay"})
		require.NoError(t, err)
		_, err = cli.NetworkCreate(ctx, secure, client.NetworkCreateOptions{Driver: "overlay", Options: map[string]string{"encrypted": ""}})
		require.NoError(t, err)
		s, err := swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("sleep")})
		require.NoError(t, err)
		t.Cleanup(func() { assert.NoError(t, s.Remove(context.Background())) })

		verdict := func(r rule.Report, target string, id rule.ID) rule.Status {
			for _, f := range r.Findings {
				if f.Target == target && f.Rule == id {
					return f.Status
				}
			}
			return ""
		}
		r, err := swarm.Audit(ctx, cli, swarm.AuditOptions{})
		require.NoError(t, err)
		assert.Equal(t, rule.StatusFail, verdict(r, "swarm", swarm.SwarmAutolock))
		assert.Equal(t, rule.StatusPass, verdict(r, "swarm", swarm.SwarmManagers))
		assert.Equal(t, rule.StatusWarn, verdict(r, "swarm", swarm.SwarmMode))
		assert.Equal(t, rule.StatusFail, verdict(r, "network:"+plain, swarm.SwarmEncryptedOverlay))
		assert.Equal(t, rule.StatusPass, verdict(r, "network:"+secure, swarm.SwarmEncryptedOverlay))
		assert.Equal(t, rule.StatusFail, verdict(r, "network:ingress", swarm.SwarmEncryptedOverlay))
		target := "service:" + s.Name
		assert.Equal(t, rule.StatusPass, verdict(r, target, swarm.SwarmRoutingMesh))
		for _, id := range []rule.ID{rule.ContainerCapabilities, rule.ContainerReadOnlyRootfs, rule.ContainerNonRootUser,
			rule.ContainerPidsLimit, rule.ContainerRestartPolicy, rule.ContainerImagePinned, rule.ContainerMemoryLimit} {
			assert.Equal(t, rule.StatusPass, verdict(r, target, id), "%s on the deployed service", id)
		}

		// Turn auto-lock on: the rule passes.
		si, err := cli.SwarmInspect(ctx, client.SwarmInspectOptions{})
		require.NoError(t, err)
		spec := si.Swarm.Spec
		spec.EncryptionConfig.AutoLockManagers = true
		_, err = cli.SwarmUpdate(ctx, client.SwarmUpdateOptions{Version: si.Swarm.Version, Spec: spec})
		require.NoError(t, err)
		r, err = swarm.Audit(ctx, cli, swarm.AuditOptions{})
		require.NoError(t, err)
		assert.Equal(t, rule.StatusPass, verdict(r, "swarm", swarm.SwarmAutolock))
	})
}

func hardeningAPIAtLeast(v, min string) bool {
	var a1, b1, a2, b2 int
	_, _ = fmtSscanf(v, &a1, &b1)
	_, _ = fmtSscanf(min, &a2, &b2)
	return a1 > a2 || (a1 == a2 && b1 >= b2)
}

func fmtSscanf(v string, a, b *int) (int, error) { return fmt.Sscanf(v, "%d.%d", a, b) }

// TestSwarmNoNewPrivilegesGapIsCoveredByTheDaemon proves the cover the gap
// names: on an engine that cannot carry NoNewPrivileges in a service,
// daemon.json "no-new-privileges": true sets no_new_privs on the task.
func TestSwarmNoNewPrivilegesGapIsCoveredByTheDaemon(t *testing.T) {
	d := dockertest.StartSwarm(t, dockertest.DaemonOptions{Config: []byte(`{"no-new-privileges": true}`)})
	cli := d.Client
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.NoError(t, dockertest.WaitSwarmReady(ctx, cli))
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	s, err := swarm.Deploy(ctx, cli, img.Ref, []hardening.Option{hardening.WithNonRootUser(), hardening.WithCmd("status")})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Remove(context.Background())) })
	var st dockertest.ProbeStatus
	for range 300 { // up to a minute: a task starts slowly on a loaded machine
		var buf bytes.Buffer
		require.NoError(t, s.Logs(ctx, &buf, &buf, false))
		if line, _, _ := strings.Cut(strings.TrimSpace(buf.String()), "\n"); line != "" && json.Unmarshal([]byte(line), &st) == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.NotEmpty(t, st.CapEff, "the task logged no probe status within a minute")
	assert.Equal(t, "1", st.NoNewPrivs, "the daemon-wide setting covers the gap")
	assert.Equal(t, 65534, st.UID)
}
