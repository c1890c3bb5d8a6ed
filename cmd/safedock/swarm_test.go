package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

func TestSwarmUsageErrors(t *testing.T) {
	code, _, errOut := invoke("swarm")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "swarm deploy")
	code, _, errOut = invoke("swarm", "deploy")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no image given")
	code, _, errOut = invoke("swarm", "deploy", "--waive", "container.capabilities", "img")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "needs a reason")
	code, _, _ = invoke("audit", "swarm", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
}

func TestSwarmDeployAndAudit(t *testing.T) {
	d := dockertest.StartSwarm(t, dockertest.DaemonOptions{})
	t.Setenv("DOCKER_HOST", d.Host)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, dockertest.WaitSwarmReady(ctx, d.Client))
	img := dockertest.ProbeImage(t, d.Client, dockertest.ProbeImageOptions{})

	name := dockertest.Name("svc")
	code, out, errOut := invoke("swarm", "deploy", "--name", name, "-u", "65534", "--cpus", "0.5", img.Ref, "sleep")
	require.Equal(t, exitOK, code, errOut)
	id := strings.TrimSpace(out)
	assert.NotEmpty(t, id)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = d.Client.ServiceRemove(cctx, id, client.ServiceRemoveOptions{})
		for cctx.Err() == nil {
			list, err := d.Client.ContainerList(cctx, client.ContainerListOptions{All: true})
			if err == nil && len(list.Items) == 0 {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	assert.Contains(t, errOut, "deployed service "+name)
	assert.Contains(t, errOut, "gap: container.network-isolation")
	assert.NotContains(t, errOut, "gap: container.cpu-shares", "--cpus covers the CPU rule")

	// A second deploy under the taken name fails and leaves the service alone.
	code, _, errOut2 := invoke("swarm", "deploy", "--name", name, "-u", "65534", img.Ref, "sleep")
	assert.Equal(t, exitError, code, errOut2)
	svc, err := d.Client.ServiceInspect(ctx, name, client.ServiceInspectOptions{})
	require.NoError(t, err, "the existing service is still there: %s", errOut2)
	assert.Equal(t, id, svc.Service.ID, "the name still belongs to the first service")

	code, _, errOut = invoke("swarm", "deploy", "-u", "65534", "-e", "API_TOKEN=abc", img.Ref)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "swarm.secrets-in-env")
	assert.NotContains(t, errOut, "abc")

	code, out, errOut = invoke("audit", "swarm", "--format", "json")
	require.Equal(t, exitFindings, code, "auto-lock is off and ingress is unencrypted: %s", errOut)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	got := map[string]any{}
	for _, f := range doc.Findings {
		got[f["target"].(string)+" "+f["rule"].(string)] = f["status"]
	}
	assert.Equal(t, "fail", got["swarm swarm.autolock"])
	assert.Equal(t, "fail", got["network:ingress swarm.encrypted-overlay"])
	assert.Equal(t, "pass", got["service:"+name+" container.capabilities"])
	assert.Equal(t, "pass", got["service:"+name+" container.read-only-rootfs"])
	assert.Equal(t, "pass", got["service:"+name+" swarm.routing-mesh"])
}
