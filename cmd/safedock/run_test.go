package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

func invoke(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: os.Getenv}, args)
	return code, out.String(), errOut.String()
}

func TestRunAttachedStreamsOutputAndExitCode(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)

	name := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name)
	code, out, errOut := invoke("run", "--name", name, "--network", netName, "--user", "65534:65534", img.Ref, "echo", "hello", "from", "safedock")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "hello from safedock\n", out)
	assert.Contains(t, errOut, "started "+name)

	name2 := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name2)
	code, _, errOut = invoke("run", "--name", name2, "--network", netName, "-u", "65534", "--restart-never-is-not-a-flag")
	assert.Equal(t, exitUsage, code, errOut)

	code, out, errOut = invoke("run", "--name", name2, "--network", netName, "-u", "65534", img.Ref, "exit", "3")
	assert.Equal(t, 3, code, "the container's exit code: %s %s", out, errOut)

	name3 := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name3)
	code, out, errOut = invoke("run", "-d", "--name", name3, "--network", netName, "-u", "65534", "-p", "127.0.0.1::8080", img.Ref, "listen", "8080")
	require.Equal(t, 0, code, errOut)
	assert.Len(t, strings.TrimSpace(out), 64, "detached run prints the container ID")
}

func TestRunRefusesRootWithAClearError(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	name := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name)
	code, _, errOut := invoke("run", "--name", name, "--network", "none", img.Ref)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "container.non-root-user")
	assert.Contains(t, errOut, "--waive container.non-root-user=REASON", "the CLI suggests its flag")
	assert.NotContains(t, errOut, "Waive(", "not the library's call")

	code, _, errOut = invoke("run", "--name", name, "--network", "none", "-p", "80:80", "-u", "65534", img.Ref)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no network")
}

func TestAuditContainersJSON(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	name := dockertest.Name("cli")
	dockertest.RemoveContainerOnCleanup(t, cli, name)
	code, _, errOut := invoke("run", "-d", "--name", name, "--network", "none", "-u", "65534", img.Ref, "sleep")
	require.Equal(t, 0, code, errOut)

	code, out, errOut := invoke("audit", "containers", "--all", "--format", "json")
	require.Contains(t, []int{exitOK, exitFindings}, code, errOut)
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Summary  map[string]any   `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.NotNil(t, doc.Summary)
	var mine int
	for _, f := range doc.Findings {
		for _, k := range []string{"rule", "cis", "status", "severity", "target", "reason"} {
			assert.Contains(t, f, k)
		}
		if f["target"] == "container:"+name {
			mine++
			assert.NotEqual(t, "fail", f["status"], "%v", f)
		}
	}
	assert.Equal(t, 30, mine, "one finding per rule for the launched container")

	code, _, _ = invoke("audit", "containers", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
}
