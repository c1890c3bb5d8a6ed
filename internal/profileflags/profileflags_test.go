package profileflags_test

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/profileflags"
	"github.com/safedock/safedock/rule"
)

func parse(t *testing.T, c profileflags.Config, args ...string) (*profileflags.Profile, *flag.FlagSet) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	p := profileflags.Register(fs, c)
	require.NoError(t, fs.Parse(args))
	return p, fs
}

func TestProfileFlagsBuildTheSameSpecAsOptions(t *testing.T) {
	p, fs := parse(t, profileflags.Config{Network: "isolated", Volumes: true, CPUShares: true},
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
	p, _ := parse(t, profileflags.Config{}, "-m", "lots")
	_, err := p.Options(nil)
	assert.ErrorContains(t, err, `--memory "lots"`)

	p, _ = parse(t, profileflags.Config{}, "--waive", "container.privileged")
	_, err = p.ParseWaivers()
	assert.ErrorContains(t, err, "a waiver needs a reason")
}

func TestOptionalFlagsAreOptional(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profileflags.Register(fs, profileflags.Config{})
	for _, name := range []string{"network", "volume", "v", "cpu-shares"} {
		assert.Nil(t, fs.Lookup(name), name)
	}
	assert.NotNil(t, fs.Lookup("user"))
}
