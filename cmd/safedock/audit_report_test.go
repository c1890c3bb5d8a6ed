package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

// runBench runs the CLI with the process environment.
func runBench(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: os.Getenv}, args)
	return code, out.String(), errOut.String()
}

type benchDoc struct {
	Tool *struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Revision string `json:"revision"`
	} `json:"tool"`
	Generated string             `json:"generated"`
	Host      *rule.HostIdentity `json:"host"`
	Benchmark string             `json:"benchmark"`
	FailOn    string             `json:"fail_on"`
	Findings  []rule.Finding     `json:"findings"`
}

func cisOf(t *testing.T, doc benchDoc, id rule.ID) []string {
	t.Helper()
	for _, f := range doc.Findings {
		if f.Rule == id {
			return f.CIS
		}
	}
	t.Fatalf("no finding of %s", id)
	return nil
}

// TestBenchmarkFlagRenumbersFindings: --benchmark changes the numbers the
// findings cite: daemon.no-new-privileges is 2.14 in CIS 1.6.0 and 1.7.0
// and 2.15 in 1.8.0 (the default); the devicemapper control exists only in
// 1.8.0 (2.7); the report names the benchmark it used; a benchmark safedock
// does not know is a usage error.
func TestBenchmarkFlagRenumbersFindings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "daemon.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"storage-driver": "devicemapper"}`), 0o644))
	cases := []struct {
		flag      []string
		bench     string
		nnp, tls  []string
		dm        []string
		container []string
	}{
		{nil, "cis-1.8.0", []string{"2.15"}, []string{"2.8"}, []string{"2.7"}, nil},
		{[]string{"--benchmark", "cis-1.8.0"}, "cis-1.8.0", []string{"2.15"}, []string{"2.8"}, []string{"2.7"}, nil},
		{[]string{"--benchmark", "cis-1.7.0"}, "cis-1.7.0", []string{"2.14"}, []string{"2.7"}, []string{}, nil},
		{[]string{"--benchmark", "cis-1.6.0"}, "cis-1.6.0", []string{"2.14"}, []string{"2.7"}, []string{}, nil},
	}
	for _, c := range cases {
		args := append([]string{"daemon-config", "validate", file, "--swarm", "no", "--format", "json"}, c.flag...)
		code, out, errOut := runBench(args...)
		require.Equal(t, exitOK, code, "%v: %s", c.flag, errOut)
		var doc benchDoc
		require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
		assert.Equal(t, c.bench, doc.Benchmark, "%v", c.flag)
		assert.Equal(t, c.nnp, cisOf(t, doc, "daemon.no-new-privileges"), "%v: daemon.no-new-privileges", c.flag)
		assert.Equal(t, c.tls, cisOf(t, doc, "daemon.tls"), "%v: daemon.tls", c.flag)
		assert.Equal(t, c.dm, cisOf(t, doc, "daemon.devicemapper"), "%v: daemon.devicemapper", c.flag)
		for _, f := range doc.Findings {
			if f.Rule == "daemon.devicemapper" {
				assert.Equal(t, rule.StatusFail, f.Status, "storage-driver devicemapper fails the rule: %+v", f)
			}
		}
		require.NotNil(t, doc.Tool)
		assert.Equal(t, "safedock", doc.Tool.Name)
	}
	// Text and SARIF name the benchmark too.
	_, text, _ := runBench("daemon-config", "validate", file, "--swarm", "no", "--benchmark", "cis-1.6.0")
	assert.Contains(t, text, "benchmark: CIS Docker Benchmark v1.6.0")
	assert.Regexp(t, `daemon\.no-new-privileges\s+CIS 2\.14 `, text)
	_, sarif, _ := runBench("daemon-config", "validate", file, "--swarm", "no", "--format", "sarif", "--benchmark", "cis-1.6.0")
	assert.Contains(t, sarif, `"benchmark": "cis-1.6.0"`)
	assert.Contains(t, sarif, "CIS Docker Benchmark v1.6.0: 2.14")

	code, _, errOut := runBench("daemon-config", "validate", file, "--benchmark", "cis-9.9.9")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "unknown benchmark")
	code, _, _ = runBench("audit", "--benchmark", "nope")
	assert.Equal(t, exitUsage, code)
}

// TestTextReportStopsDockerdFirstAndUnpadded: in `daemon-config validate`'s
// text report the errors that stop dockerd come before every other
// finding, and no line ends in spaces.
func TestTextReportStopsDockerdFirstAndUnpadded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "daemon.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"icc": true, "log-level": "bogus", "no-such-key": 1}`), 0o644))
	code, out, errOut := runBench("daemon-config", "validate", file, "--swarm", "no")
	require.Equal(t, exitFindings, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for i, l := range lines {
		assert.False(t, strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t"), "line %d is padded: %q", i+1, l)
	}
	var mains []string
	for _, l := range lines {
		if regexp.MustCompile(`^(FAIL|WARN|WAIVED|SKIP|PASS) `).MatchString(l) {
			mains = append(mains, l)
		}
	}
	require.GreaterOrEqual(t, len(mains), 3, out)
	assert.Contains(t, mains[0], "daemon.valid-config", out)
	assert.Contains(t, mains[1], "daemon.valid-config", out)
	for _, l := range mains[2:] {
		assert.NotContains(t, l, "daemon.valid-config", "a dockerd-stopping error after other findings:\n%s", out)
	}
}

// TestAuditReportSaysWhoWhatWhen: the whole-host JSON report names the
// tool, when it was made, the host and daemon it examined (from the real
// daemon's /info), the benchmark and the --fail-on threshold.
func TestAuditReportSaysWhoWhatWhen(t *testing.T) {
	cli := dockertest.Client(t)
	info, err := cli.Info(context.Background(), client.InfoOptions{})
	require.NoError(t, err)
	before := time.Now().Add(-time.Second)
	code, out, errOut := runBench("audit", "--only", "daemon,images", "--format", "json", "--fail-on", "high", "--benchmark", "cis-1.7.0")
	require.Contains(t, []int{exitOK, exitFindings}, code, errOut)
	var doc benchDoc
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.NotNil(t, doc.Tool, out)
	assert.Equal(t, "safedock", doc.Tool.Name)
	assert.NotEmpty(t, doc.Tool.Version)
	gen, err := time.Parse(time.RFC3339, doc.Generated)
	require.NoError(t, err, "generated is RFC 3339: %q", doc.Generated)
	assert.False(t, gen.Before(before.Truncate(time.Second)) || gen.After(time.Now().Add(time.Second)), "generated %s is not now", gen)
	require.NotNil(t, doc.Host, out)
	assert.Equal(t, info.Info.ID, doc.Host.DaemonID)
	assert.Equal(t, info.Info.Name, doc.Host.Hostname)
	assert.Equal(t, info.Info.ServerVersion, doc.Host.EngineVersion)
	assert.NotEmpty(t, doc.Host.Engine)
	assert.Equal(t, "cis-1.7.0", doc.Benchmark)
	assert.Equal(t, "high", doc.FailOn)
	assert.Equal(t, []string{"2.14"}, cisOf(t, doc, "daemon.no-new-privileges"))
	// The devicemapper rule is judged with the running daemon's driver.
	for _, f := range doc.Findings {
		if f.Rule == "daemon.devicemapper" {
			assert.Contains(t, f.Detail, "running daemon: "+info.Info.Driver+" (/info)")
			assert.Equal(t, []string{}, f.CIS, "no devicemapper control in CIS 1.7.0")
		}
	}
}

// TestAuditHTMLInChromium renders the whole-host audit of the real daemon
// (with a privileged container created for it) as HTML, loads it in
// headless Chromium, takes a screenshot and reads the DOM after the page's
// script ran with a filter in the URL fragment.
func TestAuditHTMLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		dockertest.Unavailable(t, "no chromium on PATH (apt-get install -y chromium)")
	}
	cli := dockertest.Client(t)
	ctx := context.Background()
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	name := dockertest.Name("html-priv")
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config: &container.Config{Image: img.Ref, Cmd: []string{"sleep"}}, HostConfig: &container.HostConfig{Privileged: true}})
	require.NoError(t, err)
	dockertest.RemoveContainerOnCleanup(t, cli, res.ID)

	code, page, errOut := runBench("audit", "--only", "daemon,images,containers", "--all", "--format", "html")
	require.Contains(t, []int{exitOK, exitFindings}, code, errOut)
	// Self-contained: no external script, style sheet, font or image.
	assert.NotRegexp(t, `(?i)<(link|img|iframe|object|embed)\b`, page)
	assert.NotRegexp(t, `(?i)\b(src|href)\s*=`, page)
	assert.NotRegexp(t, `(?i)url\(`, page)
	assert.Contains(t, page, "Content-Security-Policy")
	assert.Contains(t, page, name)

	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))
	browse := func(args ...string) []byte {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(cctx, chromium, append([]string{"--headless", "--no-sandbox", "--disable-gpu",
			"--user-data-dir=" + filepath.Join(dir, "profile")}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "chromium %v: %s", args, stderr.String())
		return stdout.Bytes()
	}
	shot := filepath.Join(dir, "report.png")
	browse("--screenshot="+shot, "--window-size=1280,2000", "file://"+file)
	png, err := os.ReadFile(shot)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
	assert.Greater(t, len(png), 50_000, "the screenshot shows a rendered page, not a blank one")
	if keep := os.Getenv("SAFEDOCK_KEEP_SCREENSHOT"); keep != "" {
		_ = os.WriteFile(keep, png, 0o644)
	}

	// The filter in the fragment is applied by the page's script: only
	// failing findings of the containers section stay visible.
	dom := string(browse("--dump-dom", "file://"+file+"#section=containers&status=fail"))
	rows := regexp.MustCompile(`<tr class="finding"[^>]*>`).FindAllString(dom, -1)
	require.NotEmpty(t, rows, dom)
	visible := 0
	for _, r := range rows {
		shown := !strings.Contains(r, " hidden")
		want := strings.Contains(r, `data-section="containers"`) && strings.Contains(r, `data-status="fail"`)
		assert.Equal(t, want, shown, "row %s", r)
		if shown {
			visible++
		}
	}
	assert.NotZero(t, visible, "the privileged container's failures are shown")
	assert.Regexp(t, `id="shown">\d+ of \d+ findings shown<`, dom)
	for _, sec := range []string{"daemon", "images", "containers"} {
		assert.Contains(t, dom, `<tr class="section" data-section="`+sec+`"`, "the sections table lists %s", sec)
	}
	assert.Contains(t, dom, `id="meta-benchmark">CIS Docker Benchmark v1.8.0<`)
	// Failing findings come first.
	first := strings.Index(dom, `<tr class="finding"`)
	assert.Contains(t, dom[first:first+200], `data-status="fail"`)
}

// TestWholeAuditTextStopsDockerdFirst: the whole-host text report opens
// with the fact that dockerd would not start, lists those errors first in
// the daemon section, pads no line and names the benchmark.
func TestWholeAuditTextStopsDockerdFirst(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc", "docker"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "etc", "docker", "daemon.json"), []byte(`{"icc": true, "bogus-key": 1}`), 0o644))
	code, out, errOut := runBench("audit", "--only", "daemon", "--root", root, "--benchmark", "cis-1.6.0")
	require.Contains(t, []int{exitFindings, exitError}, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.NotEmpty(t, lines)
	assert.True(t, strings.HasPrefix(lines[0], "DOCKERD WOULD NOT START: 1 error(s)"), out)
	var first string
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "FAIL") || strings.HasPrefix(strings.TrimSpace(l), "WARN") {
			first = l
			break
		}
	}
	assert.Contains(t, first, "daemon.valid-config", out)
	for i, l := range lines {
		assert.Equal(t, strings.TrimRight(l, " \t"), l, "line %d padded", i+1)
	}
	assert.Contains(t, out, "benchmark: CIS Docker Benchmark v1.6.0")
	assert.Regexp(t, `daemon\.no-new-privileges \[CIS 2\.14\]`, out)
}
