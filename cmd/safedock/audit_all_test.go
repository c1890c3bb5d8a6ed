package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/internal/sariftest"
	"github.com/safedock/safedock/rule"
)

// TestAuditEndToEnd: on a daemon with a known set of hardened and insecure
// containers, the JSON report of `safedock audit` holds the expected verdict
// for every CIS reference of the container rules on every one of them, and
// --fail-on high exits non-zero.
func TestAuditEndToEnd(t *testing.T) {
	cli := dockertest.Client(t)
	ctx := context.Background()
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	info, err := cli.Info(ctx, client.InfoOptions{})
	require.NoError(t, err)
	hostFacts := hardening.HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions)

	// What a plain `docker run IMAGE` (tag, root, defaults) gets, by CIS reference.
	plain := map[string]rule.Status{
		"4.1": rule.StatusFail, "4.5": rule.StatusFail, "4.6": rule.StatusPass, "5.27": rule.StatusPass,
		"5.4": rule.StatusFail, "5.5": rule.StatusPass, "5.6": rule.StatusPass, "5.7": rule.StatusPass,
		"5.8": rule.StatusPass, "5.10": rule.StatusPass, "5.11": rule.StatusFail, "5.12": rule.StatusFail,
		"5.13": rule.StatusFail, "5.14": rule.StatusPass, "5.15": rule.StatusPass, "5.16": rule.StatusPass,
		"5.17": rule.StatusPass, "5.18": rule.StatusPass, "5.20": rule.StatusPass, "5.21": rule.StatusPass,
		"5.22": rule.StatusPass, "5.25": rule.StatusPass, "5.26": rule.StatusFail, "5.29": rule.StatusFail,
		"5.31": rule.StatusPass, "5.32": rule.StatusPass, "2.2": rule.StatusFail,
		"5.2": rule.StatusSkip, "5.3": rule.StatusSkip,
	}
	if hostFacts.AppArmor {
		plain["5.2"] = rule.StatusPass
	}
	if hostFacts.SELinux {
		plain["5.3"] = rule.StatusPass
	}
	with := func(over map[string]rule.Status) map[string]rule.Status {
		m := map[string]rule.Status{}
		for k, v := range plain {
			m[k] = v
		}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	notRunning := map[string]rule.Status{"5.7": rule.StatusSkip}

	type tc struct {
		start bool
		cmd   []string
		entry []string
		hc    func(*container.HostConfig)
		want  map[string]rule.Status
	}
	sleep := []string{"sleep"}
	cases := map[string]tc{
		"plain":      {true, sleep, nil, func(*container.HostConfig) {}, with(nil)},
		"privileged": {false, sleep, nil, func(hc *container.HostConfig) { hc.Privileged = true }, with(map[string]rule.Status{"5.5": rule.StatusFail, "5.22": rule.StatusFail, "5.7": rule.StatusSkip})},
		"etc-rw":     {true, sleep, nil, func(hc *container.HostConfig) { hc.Binds = []string{"/etc:/host-etc"} }, with(map[string]rule.Status{"5.6": rule.StatusFail})},
		"docker-sock": {true, sleep, nil, func(hc *container.HostConfig) { hc.Binds = []string{"/var/run/docker.sock:/var/run/docker.sock"} },
			with(map[string]rule.Status{"5.32": rule.StatusFail})},
		"port-80": {false, sleep, nil, func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("8080/tcp"): {{HostPort: "80"}}}
		}, with(map[string]rule.Status{"5.8": rule.StatusFail, "5.14": rule.StatusFail, "5.7": rule.StatusSkip})},
		"host-pid":  {true, sleep, nil, func(hc *container.HostConfig) { hc.PidMode = "host" }, with(map[string]rule.Status{"5.16": rule.StatusFail})},
		"host-net":  {true, sleep, nil, func(hc *container.HostConfig) { hc.NetworkMode = "host" }, with(map[string]rule.Status{"5.10": rule.StatusFail})},
		"sys-admin": {true, sleep, nil, func(hc *container.HostConfig) { hc.CapAdd = []string{"SYS_ADMIN"} }, with(nil)},
		"seccomp": {true, sleep, nil, func(hc *container.HostConfig) { hc.SecurityOpt = []string{"seccomp=unconfined"} },
			with(map[string]rule.Status{"5.22": rule.StatusFail})},
		"sshd":    {true, nil, []string{"/usr/sbin/sshd"}, func(*container.HostConfig) {}, with(map[string]rule.Status{"5.7": rule.StatusFail})},
		"created": {false, sleep, nil, func(*container.HostConfig) {}, with(notRunning)},
	}
	names := map[string]string{}
	for label, c := range cases {
		name := dockertest.Name(label)
		hc := &container.HostConfig{}
		c.hc(hc)
		res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: &container.Config{Image: img.Ref, Cmd: c.cmd, Entrypoint: c.entry}, HostConfig: hc})
		require.NoError(t, err, label)
		dockertest.RemoveContainerOnCleanup(t, cli, res.ID)
		if c.start {
			_, err = cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{})
			require.NoError(t, err, label)
		}
		names[label] = name
	}
	netName := dockertest.Name("net")
	dockertest.RemoveNetworkOnCleanup(t, cli, netName)
	hard, err := hardening.Run(ctx, cli, img.Ref, hardening.WithNetwork(netName), hardening.WithNonRootUser(), hardening.WithCmd("sleep"))
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, hard.ID)
	hardWant := map[string]rule.Status{}
	for k, v := range plain {
		hardWant[k] = rule.StatusPass
		if v == rule.StatusSkip {
			hardWant[k] = rule.StatusSkip
		}
	}
	names["hardened"] = hard.Name
	cases["hardened"] = tc{want: hardWant}

	code, out, errOut := invoke("audit", "--only", "containers,images", "--all", "--format", "json", "--fail-on", "high")
	assert.Equal(t, exitFindings, code, "--fail-on high must fail with privileged containers around: %s", errOut)
	var doc struct {
		Findings []rule.Finding   `json:"findings"`
		Summary  rule.Summary     `json:"summary"`
		Sections []map[string]any `json:"sections"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Sections, 2)

	got := map[string]map[string]rule.Status{}
	for _, f := range doc.Findings {
		if got[f.Target] == nil {
			got[f.Target] = map[string]rule.Status{}
		}
		for _, c := range f.CIS {
			got[f.Target][c] = f.Status
		}
		assert.NotEmpty(t, f.Method, "every finding says how it was decided: %+v", f)
	}
	for label, c := range cases {
		target := "container:" + names[label]
		require.Contains(t, got, target, label)
		for cis, want := range c.want {
			assert.Equal(t, want, got[target][cis], "%s (%s): CIS %s", label, names[label], cis)
		}
	}
	// Identical probe builds share one image ID across packages' tests, so
	// the image may be listed under another test's tag: look for any.
	var probeImages int
	for target := range got {
		if strings.HasPrefix(target, "image:safedock-test-probe-") {
			probeImages++
		}
	}
	assert.NotZero(t, probeImages, "the images section covers the test image")

	code, out, errOut = invoke("audit", "--all", "--format", "sarif")
	require.Contains(t, []int{exitOK, exitFindings}, code, errOut)
	require.NoError(t, sariftest.Validate([]byte(out)), "the whole-host SARIF report validates against SARIF 2.1.0")
	assert.Contains(t, out, names["privileged"])

	code, _, _ = invoke("audit", "--only", "containers", "--fail-on", "critical", "--format", "json")
	assert.Contains(t, []int{exitOK, exitFindings}, code)
	code, _, errOut = invoke("audit", "--only", "nonsense")
	assert.Equal(t, exitUsage, code, errOut)
}
