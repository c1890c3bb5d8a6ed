package cliflags_test

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

func parse(t *testing.T, c cliflags.Config, args ...string) (*cliflags.Profile, *flag.FlagSet) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	p := cliflags.Register(fs, c)
	require.NoError(t, fs.Parse(args))
	return p, fs
}

func TestProfileFlagsBuildTheSameSpecAsOptions(t *testing.T) {
	p, fs := parse(t, cliflags.Config{Network: "isolated", Volumes: true, CPUShares: true},
		"-u", "1000:1000", "-m", "128m", "--pids-limit", "32", "--cpu-shares", "256", "--cap-add", "NET_BIND_SERVICE",
		"-p", "127.0.0.1:8080:80", "-v", "data:/data", "--tmpfs", "/run:rw,size=1m", "-e", "A=1",
		"--waive", "container.restart-policy=batch job", "img", "serve", "--fast")
	opts, err := p.ContainerOptions(fs.Args()[1:])
	require.NoError(t, err)
	sp, err := hardening.Build("sha256:0000000000000000000000000000000000000000000000000000000000000000", opts...)
	require.NoError(t, err)
	hc := sp.HostConfig
	assert.Equal(t, "1000:1000", sp.Config.User)
	assert.EqualValues(t, 128<<20, hc.Memory)
	assert.EqualValues(t, 32, *hc.PidsLimit)
	assert.EqualValues(t, 256, hc.CPUShares)
	assert.Equal(t, []string{"NET_BIND_SERVICE"}, hc.CapAdd)
	assert.Equal(t, []string{"data:/data"}, hc.Binds)
	assert.Equal(t, "rw,size=1m", hc.Tmpfs["/run"])
	assert.Equal(t, []string{"serve", "--fast"}, []string(sp.Config.Cmd))
	assert.Equal(t, "batch job", sp.Waivers[rule.ContainerRestartPolicy])
	assert.EqualValues(t, "isolated", hc.NetworkMode)
}

func TestProfileFlagErrorsNameTheFlag(t *testing.T) {
	p, _ := parse(t, cliflags.Config{}, "-m", "lots")
	_, err := p.Options(nil)
	assert.ErrorContains(t, err, `--memory "lots"`)

	p, _ = parse(t, cliflags.Config{}, "--waive", "container.privileged")
	_, err = p.ParseWaivers()
	assert.ErrorContains(t, err, "a waiver needs a reason")
}

func TestOptionalFlagsAreOptional(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cliflags.Register(fs, cliflags.Config{})
	for _, name := range []string{"network", "volume", "v", "cpu-shares"} {
		assert.Nil(t, fs.Lookup(name), name)
	}
	assert.NotNil(t, fs.Lookup("user"))
}

func TestServiceFlagsBuildTheSpec(t *testing.T) {
	dir := t.TempDir()
	envFile := dir + "/app.env"
	require.NoError(t, os.WriteFile(envFile, []byte("# c\nA=from-file\nB=2\n"), 0o600))
	p, fs := parse(t, cliflags.Config{Network: "front", Volumes: true, Service: true},
		"--health-cmd", "probe health", "--health-interval", "2s", "--health-timeout", "1s", "--health-retries", "4", "--health-start-period", "3s",
		"-w", "/srv", "-h", "web-1", "--stop-signal", "SIGQUIT", "--stop-timeout", "0", "--init",
		"--ulimit", "nofile=1024:2048", "--sysctl", "net.core.somaxconn=1024", "--dns", "10.0.0.53", "--dns-search", "corp.example",
		"--dns-option", "ndots:2", "--add-host", "db:10.0.0.5", "--mount", "type=tmpfs,target=/run/app", "--env-file", envFile, "-e", "A=from-flag",
		"--network", "back", "--network", "front2", "--network-alias", "web", "--group-add", "100", "--shm-size", "128m", "--cpus", "1.5",
		"-m", "256m", "--memory-swap", "512m", "-u", "1000", "img", "serve")
	assert.Equal(t, "back", p.Network, "the first --network replaces the default")
	opts, err := p.ContainerOptions(fs.Args()[1:])
	require.NoError(t, err)
	sp, err := hardening.Build("sha256:0000000000000000000000000000000000000000000000000000000000000000", opts...)
	require.NoError(t, err)
	hc, cfg := sp.HostConfig, sp.Config
	assert.Equal(t, []string{"CMD-SHELL", "probe health"}, cfg.Healthcheck.Test)
	assert.Equal(t, 2*time.Second, cfg.Healthcheck.Interval)
	assert.Equal(t, time.Second, cfg.Healthcheck.Timeout)
	assert.Equal(t, 3*time.Second, cfg.Healthcheck.StartPeriod)
	assert.Equal(t, 4, cfg.Healthcheck.Retries)
	assert.Equal(t, "/srv", cfg.WorkingDir)
	assert.Equal(t, "web-1", cfg.Hostname)
	assert.Equal(t, "SIGQUIT", cfg.StopSignal)
	require.NotNil(t, cfg.StopTimeout)
	assert.Equal(t, 0, *cfg.StopTimeout, "--stop-timeout 0 is kept")
	assert.True(t, *hc.Init)
	assert.Equal(t, "nofile", hc.Ulimits[0].Name)
	assert.Equal(t, map[string]string{"net.core.somaxconn": "1024"}, hc.Sysctls)
	assert.Len(t, hc.DNS, 1)
	assert.Equal(t, []string{"corp.example"}, hc.DNSSearch)
	assert.Equal(t, []string{"ndots:2"}, hc.DNSOptions)
	assert.Equal(t, []string{"db:10.0.0.5"}, hc.ExtraHosts)
	require.Len(t, hc.Mounts, 1)
	assert.Equal(t, "/run/app", hc.Mounts[0].Target)
	assert.Equal(t, []string{"A=from-file", "B=2", "A=from-flag"}, cfg.Env, "env files first, -e wins")
	assert.EqualValues(t, "back", hc.NetworkMode)
	assert.Equal(t, []string{"web"}, sp.Networking.EndpointsConfig["back"].Aliases)
	assert.Contains(t, sp.Networking.EndpointsConfig, "front2")
	assert.Equal(t, []string{"100"}, hc.GroupAdd)
	assert.EqualValues(t, 128<<20, hc.ShmSize)
	assert.EqualValues(t, 1_500_000_000, hc.NanoCPUs)
	assert.EqualValues(t, 512<<20, hc.MemorySwap)
}

func TestServiceFlagErrorsNameTheFlag(t *testing.T) {
	for args, want := range map[string]string{
		"--sysctl kernel.panic=1":             "--sysctl",
		"--mount type=bind,target=/x":         "--mount",
		"--cpus lots":                         "--cpus",
		"--ulimit nofile=2:1":                 "--ulimit",
		"--stop-timeout -5":                   "--stop-timeout",
		"--no-healthcheck --health-retries 2": "--no-healthcheck",
		"--network-alias a/b --network n":     "--network-alias",
	} {
		p, _ := parse(t, cliflags.Config{Network: "n", Service: true}, strings.Fields(args)...)
		opts, err := p.Options(nil)
		if err == nil {
			_, err = hardening.Build("sha256:0000000000000000000000000000000000000000000000000000000000000000", append(opts, hardening.WithUser("1"))...)
		}
		assert.ErrorContains(t, err, want, args)
	}
}
