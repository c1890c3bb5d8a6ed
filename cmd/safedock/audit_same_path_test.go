package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// TestAuditContainersByteForByte: on a real daemon, "audit containers" and
// "audit --only containers" print the very same bytes for each container
// (every finding's JSON, method included, and every text line naming it),
// for a running, a waived and a privileged container. The containers have
// no network, so the test needs no bridge.
func TestAuditContainersByteForByte(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	none := func(hc container.HostConfig) *container.HostConfig { hc.NetworkMode = "none"; return &hc }
	names := []string{
		createContainer(t, cli, img.Ref, nil, none(container.HostConfig{}), true),
		createContainer(t, cli, img.Ref, map[string]string{"io.safedock.waive.container.memory-limit": "batch"}, none(container.HostConfig{}), true),
		createContainer(t, cli, img.Ref, nil, none(container.HostConfig{Privileged: true}), false),
	}
	// ours keeps, per container, the raw JSON of its findings in report
	// order.
	ours := func(out string) map[string][]string {
		var doc struct {
			Findings []json.RawMessage `json:"findings"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
		m := map[string][]string{}
		for _, raw := range doc.Findings {
			var f rule.Finding
			require.NoError(t, json.Unmarshal(raw, &f))
			for _, n := range names {
				if f.Target == "container:"+n {
					m[n] = append(m[n], string(raw))
				}
			}
		}
		return m
	}
	lines := func(out string) []string {
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			for _, n := range names {
				if strings.Contains(l, "container:"+n+" ") {
					keep = append(keep, l)
				}
			}
		}
		return keep
	}
	code1, out1, err1 := invoke("audit", "--only", "containers", "--all", "--format", "json")
	code2, out2, err2 := invoke("audit", "containers", "--all", "--format", "json")
	require.Contains(t, []int{exitOK, exitFindings}, code1, err1)
	assert.Equal(t, code1, code2, err2)
	a, b := ours(out1), ours(out2)
	require.Len(t, a, len(names))
	assert.Equal(t, a, b)
	methods := 0
	for _, raw := range a[names[0]] {
		if strings.Contains(raw, `"method"`) {
			methods++
		}
	}
	assert.Positive(t, methods, "the findings say how they were judged")

	_, text1, _ := invoke("audit", "--only", "containers", "--all", "--passed")
	_, text2, _ := invoke("audit", "containers", "--all", "--passed")
	l1, l2 := lines(text1), lines(text2)
	require.NotEmpty(t, l1)
	assert.Equal(t, l1, l2)
}
