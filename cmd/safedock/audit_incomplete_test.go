package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// auditDoc is the JSON shape of "safedock audit --format json".
type auditDoc struct {
	Findings   []rule.Finding `json:"findings"`
	Summary    rule.Summary   `json:"summary"`
	Incomplete []rule.Gap     `json:"incomplete"`
	Sections   []struct {
		Section    string `json:"section"`
		Findings   int    `json:"findings"`
		Incomplete bool   `json:"incomplete"`
		Failed     int    `json:"failed"`
		Total      int    `json:"total"`
		Error      string `json:"error"`
		Skipped    string `json:"skipped"`
	} `json:"sections"`
}

func parseAudit(t *testing.T, out string) auditDoc {
	t.Helper()
	var doc auditDoc
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	return doc
}

func createContainer(t *testing.T, cli *client.Client, ref string, labels map[string]string, hc *container.HostConfig, start bool) string {
	t.Helper()
	return dockertest.CreateContainer(t, cli, "aud", &container.Config{Image: ref, Cmd: []string{"sleep"}, Labels: labels}, hc, start)
}

// Every container inspect failing (a proxy in front of the real daemon
// answers 500 to GET /containers/{id}/json and forwards the rest) is an
// incomplete section and exit 3, with the count — never "0 fail ... N skip"
// and exit 0. "audit containers" is the same code and says the same.
func TestAuditInspectFailuresAreIncomplete(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	createContainer(t, cli, img.Ref, nil, nil, false)
	proxy := dockertest.StartFaultProxy(t, cli.DaemonHost(), dockertest.IsContainerInspect)
	t.Setenv("DOCKER_HOST", proxy.Host)

	for _, args := range [][]string{
		{"audit", "--only", "containers", "--all", "--format", "json"},
		{"audit", "containers", "--all", "--format", "json"},
	} {
		code, out, errOut := invoke(args...)
		assert.Equal(t, exitError, code, "%v: %s", args, errOut)
		doc := parseAudit(t, out)
		require.Len(t, doc.Sections, 1)
		s := doc.Sections[0]
		assert.True(t, s.Incomplete, "%v", args)
		assert.Positive(t, s.Total)
		assert.Equal(t, s.Total, s.Failed, "every inspect failed")
		assert.Contains(t, s.Error, "containers could not be inspected")
		assert.Contains(t, s.Error, "injected fault")
		assert.Zero(t, s.Findings, "no container is reported on without its inspect")
		assert.True(t, doc.Summary.Incomplete)
		require.Len(t, doc.Incomplete, 1)
		assert.Equal(t, s.Failed, doc.Incomplete[0].Failed)
		for _, f := range doc.Findings {
			assert.NotEqual(t, rule.StatusPass, f.Status, "nothing passes unexamined: %+v", f)
		}
		assert.Contains(t, errOut, "section containers is incomplete")
	}
	assert.Positive(t, proxy.Faulted.Load())

	code, out, _ := invoke("audit", "containers", "--all")
	t.Logf("text output:\n%s", out)
	assert.Equal(t, exitError, code)
	assert.Contains(t, out, "== containers: INCOMPLETE")
	assert.Contains(t, out, "containers could not be inspected")
	assert.Contains(t, out, "this is not a clean result")
}

// A frozen daemon (a throwaway dockerd stopped with SIGSTOP; never the
// shared one): "audit --timeout 10s" ends within 25 s with exit 3, prints
// the host section (which needs no daemon) and marks the daemon's sections
// incomplete. A cancelled context (what the first Ctrl-C does) gives the
// same.
func TestAuditFrozenDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a throwaway dockerd")
	}
	d := dockertest.StartDaemon(t, dockertest.DaemonOptions{})
	require.NoError(t, syscall.Kill(d.PID, syscall.SIGSTOP))
	t.Cleanup(func() { _ = syscall.Kill(d.PID, syscall.SIGCONT) }) // before the daemon's own cleanup
	t.Setenv("DOCKER_HOST", d.Host)

	check := func(t *testing.T, code int, out, errOut string, took time.Duration) {
		t.Helper()
		assert.Equal(t, exitError, code, errOut)
		assert.Less(t, took, 25*time.Second)
		doc := parseAudit(t, out)
		bySection := map[string]int{}
		for i, s := range doc.Sections {
			bySection[s.Section] = i
		}
		require.Contains(t, bySection, "host")
		host := doc.Sections[bySection["host"]]
		assert.Positive(t, host.Findings, "the host section is printed: %+v", host)
		hostFindings := 0
		for _, f := range doc.Findings {
			if strings.HasPrefix(string(f.Rule), "host.") {
				hostFindings++
			}
		}
		assert.Equal(t, host.Findings, hostFindings)
		for _, sec := range []string{"images", "containers"} {
			s := doc.Sections[bySection[sec]]
			assert.True(t, s.Incomplete, "%s: %+v", sec, s)
			assert.NotEmpty(t, s.Error, sec)
		}
		assert.True(t, doc.Summary.Incomplete)
	}

	start := time.Now()
	code, out, errOut := invoke("audit", "--timeout", "10s", "--format", "json")
	check(t, code, out, errOut, time.Since(start))
	t.Logf("audit --timeout 10s: exit %d after %s; stderr:\n%s", code, time.Since(start).Round(time.Millisecond), errOut)
	assert.GreaterOrEqual(t, time.Since(start), 10*time.Second, "it waited for the timeout")
	assert.Contains(t, errOut, "context deadline exceeded")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(2*time.Second, cancel)
	var o, eo bytes.Buffer
	start = time.Now()
	code = run(ctx, &env{stdout: &o, stderr: &eo, getenv: os.Getenv}, []string{"audit", "--format", "json"})
	check(t, code, o.String(), eo.String(), time.Since(start))
	assert.Contains(t, eo.String(), "context canceled")

	// The same bound on the containers command.
	start = time.Now()
	code, out, errOut = invoke("audit", "containers", "--timeout", "3s", "--format", "json")
	assert.Equal(t, exitError, code, errOut)
	assert.Less(t, time.Since(start), 25*time.Second)
	doc := parseAudit(t, out)
	require.Len(t, doc.Sections, 1)
	assert.True(t, doc.Sections[0].Incomplete)
}

// "audit containers" and "audit --only containers" run the same code: the
// same findings, methods included, on the same containers.
func TestAuditContainersIsAuditOnlyContainers(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	names := []string{
		createContainer(t, cli, img.Ref, nil, nil, true),
		createContainer(t, cli, img.Ref, map[string]string{"io.safedock.waive.container.memory-limit": "batch"}, nil, true),
		createContainer(t, cli, img.Ref, nil, &container.HostConfig{Privileged: true}, false),
	}
	ours := func(out string) map[string][]rule.Finding {
		doc := parseAudit(t, out)
		m := map[string][]rule.Finding{}
		for _, f := range doc.Findings {
			for _, n := range names {
				if f.Target == "container:"+n {
					m[n] = append(m[n], f)
				}
			}
		}
		return m
	}
	code1, out1, err1 := invoke("audit", "--only", "containers", "--all", "--format", "json")
	code2, out2, err2 := invoke("audit", "containers", "--all", "--format", "json")
	require.Contains(t, []int{exitOK, exitFindings}, code1, err1)
	assert.Equal(t, code1, code2, err2)
	a, b := ours(out1), ours(out2)
	require.Len(t, a, len(names))
	assert.Equal(t, a, b)
	for _, f := range a[names[0]] {
		if f.Rule == rule.ContainerNoSSHD {
			assert.Equal(t, "proc", f.Method, "both read the running container's processes from /proc")
		}
	}
}

// --waivers: a label waiver the file does not approve fails, an expired one
// fails saying so, an approved one is waived with both reasons; without a
// file, label waivers stay waived and are counted unapproved.
func TestAuditWaiverFile(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	claim := map[string]string{"io.safedock.waive.container.privileged": "trust me"}
	priv := func() *container.HostConfig { return &container.HostConfig{Privileged: true} }
	unapproved := createContainer(t, cli, img.Ref, claim, priv(), false)
	expired := createContainer(t, cli, img.Ref, claim, priv(), false)
	approved := createContainer(t, cli, img.Ref, claim, priv(), false)
	fileOnly := createContainer(t, cli, img.Ref, nil, priv(), false)

	file := filepath.Join(t.TempDir(), "waivers.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`waivers:
  - rule: container.privileged
    target: container:`+approved+`
    reason: needs /dev/kvm for the emulator tests
    expires: 2099-06-30
    approved-by: security-team
  - rule: container.privileged
    target: container:`+expired+`
    reason: was needed for a migration
    expires: 2020-01-31
    approved-by: security-team
  - rule: container.privileged
    target: "container:`+fileOnly[:len(fileOnly)-3]+`*"
    reason: approved without a label
    expires: 2099-06-30
    approved-by: platform
`), 0o600))

	privileged := func(out string) map[string]rule.Finding {
		m := map[string]rule.Finding{}
		for _, f := range parseAudit(t, out).Findings {
			if f.Rule == rule.ContainerPrivileged {
				m[strings.TrimPrefix(f.Target, "container:")] = f
			}
		}
		return m
	}

	code, out, errOut := invoke("audit", "containers", "--all", "--format", "json", "--waivers", file)
	assert.Equal(t, exitFindings, code, errOut)
	got := privileged(out)
	assert.Equal(t, rule.StatusFail, got[unapproved].Status)
	assert.Contains(t, got[unapproved].Reason, "waiver claimed by label, not approved in "+file)
	assert.Equal(t, rule.StatusFail, got[expired].Status)
	assert.Contains(t, got[expired].Reason, "waiver expired on 2020-01-31")
	assert.Equal(t, rule.StatusWaived, got[approved].Status)
	assert.Contains(t, got[approved].Reason, "trust me")
	assert.Contains(t, got[approved].Reason, "needs /dev/kvm for the emulator tests")
	require.NotNil(t, got[approved].Waiver)
	assert.True(t, got[approved].Waiver.Approved)
	assert.Equal(t, "security-team", got[approved].Waiver.ApprovedBy)
	assert.Equal(t, rule.StatusWaived, got[fileOnly].Status)
	assert.Contains(t, got[fileOnly].Reason, "approved without a label")
	assert.Zero(t, parseAudit(t, out).Summary.WaivedUnapproved, "every waiver that holds is approved")

	// Without a file the labels hold, counted as unapproved.
	code, out, errOut = invoke("audit", "--only", "containers", "--all", "--format", "json")
	require.Contains(t, []int{exitOK, exitFindings}, code, errOut)
	got = privileged(out)
	for _, n := range []string{unapproved, expired, approved} {
		assert.Equal(t, rule.StatusWaived, got[n].Status, n)
		require.NotNil(t, got[n].Waiver, n)
		assert.False(t, got[n].Waiver.Approved, n)
	}
	assert.Equal(t, rule.StatusFail, got[fileOnly].Status, "no label, no file: it fails")
	assert.GreaterOrEqual(t, parseAudit(t, out).Summary.WaivedUnapproved, 3)
	assert.Contains(t, out, `"waived_unapproved"`)
	code, out, _ = invoke("audit", "containers", "--all")
	require.Contains(t, []int{exitOK, exitFindings}, code)
	assert.Contains(t, out, "waived by container labels alone, approved by no waiver file")
}

// A malformed waiver file is a usage error (exit 2) naming the line and
// the field; no daemon is asked.
func TestAuditWaiverFileMalformed(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	dir := t.TempDir()
	for name, c := range map[string]struct{ doc, want string }{
		"bad date":      {"waivers:\n  - rule: container.privileged\n    target: container:x\n    reason: r\n    expires: 2027-02-30\n    approved-by: me\n", `:5: entry 1: field "expires": bad date "2027-02-30"`},
		"unknown key":   {"waivers:\n  - rule: container.privileged\n    target: container:x\n    reason: r\n    expires: 2027-02-01\n    approved-by: me\n    ticket: SEC-1\n", `:7: entry 1: unknown field "ticket"`},
		"missing field": {"waivers:\n  - rule: container.privileged\n    target: container:x\n    expires: 2027-02-01\n    approved-by: me\n", `:2: entry 1: field "reason" is missing`},
		"unknown rule":  {"waivers:\n  - rule: container.privilegd\n    target: container:x\n    reason: r\n    expires: 2027-02-01\n    approved-by: me\n", `:2: entry 1: field "rule": unknown rule "container.privilegd"`},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
			require.NoError(t, os.WriteFile(file, []byte(c.doc), 0o600))
			for _, cmd := range [][]string{{"audit"}, {"audit", "containers"}} {
				code, _, errOut := invoke(append(cmd, "--waivers", file)...)
				assert.Equal(t, exitUsage, code, errOut)
				assert.Contains(t, errOut, file+c.want)
			}
		})
	}
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan int)
	go func() { code, _, _ := invoke("audit", "--waivers", fifo); done <- code }()
	select {
	case code := <-done:
		assert.Equal(t, exitUsage, code, "a FIFO is refused at once")
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO as the waiver file blocked")
	}
}

// "audit host" without an answering daemon prints the host findings but
// exits 3: the engine checks did not run. --offline skips them on purpose.
func TestAuditHostWithoutDaemonIsIncomplete(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	root := t.TempDir()
	code, out, errOut := invoke("audit", "host", "--root", root, "--format", "json")
	assert.Equal(t, exitError, code, errOut)
	assert.Contains(t, out, "host.kernel-version")
	assert.Contains(t, errOut, "incomplete: the engine checks could not run")
	code, _, errOut = invoke("audit", "host", "--root", root, "--offline", "--format", "json")
	assert.Contains(t, []int{exitOK, exitFindings}, code, errOut)
}
