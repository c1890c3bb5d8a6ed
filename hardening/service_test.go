package hardening

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

func TestServiceOptionsSetTheSpec(t *testing.T) {
	hc := &container.HealthConfig{Test: []string{"CMD", "/probe", "health"}, Interval: time.Second, Retries: 2}
	sp, err := Build(testImage, append(hardenedOpts(),
		WithHealthcheck(hc), WithWorkingDir("/srv"), WithHostname("web-1.internal"),
		WithStopSignal("SIGQUIT"), WithStopTimeout(20*time.Second), WithInit(),
		WithUlimit("nofile=1024:2048"), WithUlimit("nproc=64"), WithUlimit("nofile=512:1024"),
		WithSysctl("net.ipv4.ip_unprivileged_port_start", "1024"), WithSysctl("kernel.shmmax", "65536"),
		WithDNS("10.0.0.53", "fd00::53"), WithDNSSearch("corp.example"), WithDNSOptions("ndots:2"),
		WithAddedHosts("db:10.0.0.5", "v6=[fd00::5]"), WithAddedGroups("100", "audio"), WithAddedGroups("100"),
		WithShmSize(128<<20), WithCPUs(1.5), WithMemory(256<<20), WithMemorySwap(256<<20),
	)...)
	require.NoError(t, err)
	hc.Test[0] = "NONE" // the option copied it
	assert.Equal(t, []string{"CMD", "/probe", "health"}, sp.Config.Healthcheck.Test)
	assert.Equal(t, time.Second, sp.Config.Healthcheck.Interval)
	assert.Equal(t, "/srv", sp.Config.WorkingDir)
	assert.Equal(t, "web-1.internal", sp.Config.Hostname)
	assert.Equal(t, "SIGQUIT", sp.Config.StopSignal)
	require.NotNil(t, sp.Config.StopTimeout)
	assert.Equal(t, 20, *sp.Config.StopTimeout)
	require.NotNil(t, sp.HostConfig.Init)
	assert.True(t, *sp.HostConfig.Init)
	require.Len(t, sp.HostConfig.Ulimits, 2, "nofile was replaced, not added twice")
	assert.Equal(t, "nproc", sp.HostConfig.Ulimits[0].Name)
	assert.Equal(t, container.Ulimit{Name: "nofile", Soft: 512, Hard: 1024}, *sp.HostConfig.Ulimits[1])
	assert.Equal(t, map[string]string{"net.ipv4.ip_unprivileged_port_start": "1024", "kernel.shmmax": "65536"}, sp.HostConfig.Sysctls)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.53"), netip.MustParseAddr("fd00::53")}, sp.HostConfig.DNS)
	assert.Equal(t, []string{"corp.example"}, sp.HostConfig.DNSSearch)
	assert.Equal(t, []string{"ndots:2"}, sp.HostConfig.DNSOptions)
	assert.Equal(t, []string{"db:10.0.0.5", "v6:fd00::5"}, sp.HostConfig.ExtraHosts)
	assert.Equal(t, []string{"100", "audio"}, sp.HostConfig.GroupAdd)
	assert.EqualValues(t, 128<<20, sp.HostConfig.ShmSize)
	assert.EqualValues(t, 1_500_000_000, sp.HostConfig.NanoCPUs)
	assert.EqualValues(t, 256<<20, sp.HostConfig.MemorySwap)
	for _, f := range sp.Check() {
		assert.NotEqual(t, rule.StatusFail, f.Status, "%s: %s", f.Rule, f.Reason)
	}

	sp, err = Build(testImage, append(hardenedOpts(), WithGroups("audio"), WithAddedGroups("video"), WithGroups("staff"), WithDNS("1.1.1.1"), WithDNS("9.9.9.9"))...)
	require.NoError(t, err)
	assert.Equal(t, []string{"staff"}, sp.HostConfig.GroupAdd, "With* replaces")
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("9.9.9.9")}, sp.HostConfig.DNS)
}

func TestNoHealthcheckIsJudged(t *testing.T) {
	sp, err := Build(testImage, append(hardenedOpts(), WithNoHealthcheck())...)
	require.NoError(t, err, "the healthcheck rule warns, it does not refuse")
	assert.Equal(t, []string{"NONE"}, sp.Config.Healthcheck.Test)
	for _, f := range sp.Check() {
		if f.Rule == rule.ContainerHealthcheck {
			assert.Equal(t, rule.StatusWarn, f.Status)
		}
	}
}

func TestServiceOptionsRefuseBadInput(t *testing.T) {
	for name, o := range map[string]Option{
		"nil healthcheck":      WithHealthcheck(nil),
		"empty healthcheck":    WithHealthcheck(&container.HealthConfig{}),
		"unknown test kind":    WithHealthcheck(&container.HealthConfig{Test: []string{"RUN", "x"}}),
		"cmd without command":  WithHealthcheck(&container.HealthConfig{Test: []string{"CMD"}}),
		"tiny interval":        WithHealthcheck(&container.HealthConfig{Test: []string{"CMD", "x"}, Interval: time.Microsecond}),
		"negative retries":     WithHealthcheck(&container.HealthConfig{Test: []string{"CMD", "x"}, Retries: -1}),
		"relative workdir":     WithWorkingDir("srv"),
		"bad hostname":         WithHostname("-web"),
		"bad signal":           WithStopSignal("SIGFOO"),
		"signal 99":            WithStopSignal("99"),
		"fractional timeout":   WithStopTimeout(1500 * time.Millisecond),
		"bad ulimit":           WithUlimit("nofile=2048:1024"),
		"unknown ulimit":       WithUlimit("bogus=1"),
		"host sysctl":          WithSysctl("kernel.panic", "1"),
		"vm sysctl":            WithSysctl("vm.overcommit_memory", "1"),
		"kernel.domainname":    WithSysctl("kernel.domainname", "x"),
		"dns name":             WithDNS("dns.example"),
		"add-host gateway":     WithAddedHosts("host:host-gateway"),
		"add-host no ip":       WithAddedHosts("db"),
		"bad group":            WithAddedGroups("a b"),
		"zero shm":             WithShmSize(0),
		"zero cpus":            WithCPUs(0),
		"tiny swap":            WithMemorySwap(1),
		"alias on none":        func(sp *Spec) error { sp.Network = "none"; return WithNetworkAliases("web")(sp) },
		"added network host":   WithAddedNetwork("host"),
		"added network bridge": WithAddedNetwork("bridge"),
		"bad alias":            WithAddedNetwork("n1", "a b"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Build(testImage, append(hardenedOpts(), o)...)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidSpec)
		})
	}
}

func TestNetSysctlsRefusedOnHostNetworkInEitherOrder(t *testing.T) {
	waive := Waive(rule.ContainerHostNetwork, "test")
	waive2 := Waive(rule.ContainerNetworkIsolation, "test")
	_, err := Build(testImage, append(hardenedOpts(), waive, waive2, WithNetwork("host"), WithSysctl("net.core.somaxconn", "1024"))...)
	require.ErrorIs(t, err, ErrInvalidSpec)
	assert.Contains(t, err.Error(), "host's network namespace")
	_, err = Build(testImage, append(hardenedOpts(), waive, waive2, WithSysctl("net.core.somaxconn", "1024"), WithNetwork("host"))...)
	require.ErrorIs(t, err, ErrInvalidSpec)
	assert.Contains(t, err.Error(), "net.core.somaxconn")
	// IPC sysctls are fine on the host network (the IPC namespace is private).
	_, err = Build(testImage, append(hardenedOpts(), waive, waive2, WithNetwork("host"), WithSysctl("kernel.msgmax", "65536"))...)
	require.NoError(t, err)
}

func TestParseMount(t *testing.T) {
	m, err := ParseMount("type=bind,source=/srv/data/,target=/data,readonly,bind-propagation=rprivate")
	require.NoError(t, err)
	assert.Equal(t, mount.Mount{Type: mount.TypeBind, Source: "/srv/data", Target: "/data", ReadOnly: true,
		BindOptions: &mount.BindOptions{Propagation: mount.PropagationRPrivate}}, m)
	m, err = ParseMount(`type=volume,src=cache,dst=/cache,volume-nocopy,"volume-opt=o=size=1m",volume-label=a=b`)
	require.NoError(t, err)
	assert.Equal(t, "cache", m.Source)
	assert.True(t, m.VolumeOptions.NoCopy)
	assert.Equal(t, map[string]string{"o": "size=1m"}, m.VolumeOptions.DriverConfig.Options)
	assert.Equal(t, map[string]string{"a": "b"}, m.VolumeOptions.Labels)
	m, err = ParseMount("type=tmpfs,destination=/run,tmpfs-size=16m,tmpfs-mode=1770,ro=false")
	require.NoError(t, err)
	assert.Equal(t, mount.Mount{Type: mount.TypeTmpfs, Target: "/run", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 16 << 20, Mode: 0o1770}}, m)

	for _, bad := range []string{
		"", "target=/x", "type=npipe,target=/x", "type=bind,target=/x", "type=bind,source=rel,target=/x",
		"type=bind,source=/a,target=/x,bind-propagation=weird", "type=bind,source=/a,target=/x,volume-nocopy",
		"type=volume,target=/x,bind-propagation=private", "type=tmpfs,source=/a,target=/x", "type=tmpfs,target=/x,tmpfs-size=big",
		"type=bind,source=/a,target=relative", "type=bind,source=/a,target=/", "type=bind,source=/a,target=/x,readonly=maybe",
		"type=bind,source=/a,target=/x,bind-recursive=disabled", "type=bind,source=/a,target=/x,unknown=1",
		"type=bind,source=/a,source=/b,target=/x", "type=bind,source=/a,target=/x,junk", `type=bind,"source=/a`,
	} {
		_, err := ParseMount(bad)
		assert.Error(t, err, "%q must be refused", bad)
	}
}

func TestTypedMountsAreJudgedLikeBinds(t *testing.T) {
	_, err := Build(testImage, append(hardenedOpts(), WithAddedMount("type=bind,source=/etc,target=/host-etc"))...)
	require.Error(t, err)
	assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts, "a writable /etc by --mount is refused like -v /etc:/x")
	_, err = Build(testImage, append(hardenedOpts(), WithAddedMount("type=bind,source=/var/run/docker.sock,target=/s,readonly"))...)
	require.Error(t, err)
	assert.Contains(t, violationIDs(err), rule.ContainerDockerSocket)
	_, err = Build(testImage, append(hardenedOpts(), WithAddedMount("type=bind,source=/srv,target=/srv,bind-propagation=rshared"))...)
	require.Error(t, err)
	assert.Contains(t, violationIDs(err), rule.ContainerMountPropagation)
	_, err = Build(testImage, append(hardenedOpts(), WithAddedMount("type=volume,source=vol,target=/v,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc"))...)
	require.Error(t, err, "a local volume that binds /etc is a bind of /etc")
	assert.Contains(t, violationIDs(err), rule.ContainerSensitiveMounts)

	sp, err := Build(testImage, append(hardenedOpts(), WithAddedMount("type=bind,source=/etc,target=/host-etc,readonly"), WithAddedMount("type=tmpfs,target=/run"))...)
	require.NoError(t, err)
	assert.Len(t, sp.HostConfig.Mounts, 2)
	_, err = Build(testImage, append(hardenedOpts(), WithAddedMount("type=tmpfs,target=/run"), WithAddedMount("type=tmpfs,target=/run"))...)
	require.ErrorIs(t, err, ErrInvalidSpec)
}

func TestEnvFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.env")
	require.NoError(t, os.WriteFile(p, []byte("\uFEFF# comment\nA=1\n\n  B=two words\nC=\"quoted\"\nFROM_ENV\n"), 0o600))
	t.Setenv("FROM_ENV", "x=y")
	sp, err := Build(testImage, append(hardenedOpts(), WithAddedEnvFile(p))...)
	require.NoError(t, err)
	assert.Equal(t, []string{"A=1", "B=two words", `C="quoted"`, "FROM_ENV=x=y"}, sp.Config.Env)

	require.NoError(t, os.WriteFile(p, []byte("A=1\nUNSET_VAR_SAFEDOCK\n"), 0o600))
	_, err = Build(testImage, append(hardenedOpts(), WithAddedEnvFile(p))...)
	require.ErrorIs(t, err, ErrInvalidSpec)
	assert.Contains(t, err.Error(), ":2: UNSET_VAR_SAFEDOCK has no value")
	_, err = Build(testImage, append(hardenedOpts(), WithAddedEnvFile(filepath.Join(dir, "missing")))...)
	require.Error(t, err)
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func TestAddedNetworksAndAliases(t *testing.T) {
	sp, err := Build(testImage, append(hardenedOpts(), WithNetworkAliases("web"), WithAddedNetwork("backend", "api", "api2"), WithAddedNetwork("backend", "api"))...)
	require.NoError(t, err)
	assert.Equal(t, []string{"web"}, sp.Networking.EndpointsConfig["isolated"].Aliases)
	assert.Equal(t, []string{"api", "api2"}, sp.Networking.EndpointsConfig["backend"].Aliases)
	assert.Equal(t, []string{"backend"}, sp.extraNetworks())
}

func TestModifiersRefuseWhatTheyCannotCarry(t *testing.T) {
	for name, o := range map[string]Option{
		"added network": WithAddedNetwork("other"),
		"aliases":       func(sp *Spec) error { sp.Network = "n"; return WithNetworkAliases("web")(sp) },
	} {
		_, err := Modifiers(WithNonRootUser(), o)
		assert.ErrorIs(t, err, ErrModifierCannotApply, name)
	}
	m, err := Modifiers(WithNonRootUser(), WithSysctl("net.core.somaxconn", "512"), WithUlimit("nofile=10:20"), WithHostname("h"),
		WithHealthcheck(&container.HealthConfig{Test: []string{"CMD", "/probe", "health"}}), WithAddedMount("type=tmpfs,target=/run"))
	require.NoError(t, err, "the service options a modifier can carry")
	cfg, hc := &container.Config{}, &container.HostConfig{}
	m.Config(cfg)
	m.HostConfig(hc)
	assert.Equal(t, "h", cfg.Hostname)
	assert.Equal(t, []string{"CMD", "/probe", "health"}, cfg.Healthcheck.Test)
	assert.Equal(t, "512", hc.Sysctls["net.core.somaxconn"])
	assert.Len(t, hc.Ulimits, 1)
	assert.Len(t, hc.Mounts, 1)
}

func TestHealthcheckTimingsOnlyKeepTheImagesTest(t *testing.T) {
	sp, err := Build(testImage, append(hardenedOpts(), WithHealthcheck(&container.HealthConfig{Interval: 250 * time.Millisecond}))...)
	require.NoError(t, err)
	assert.Empty(t, sp.Config.Healthcheck.Test, "the daemon merges the image's test in")
	assert.Equal(t, 250*time.Millisecond, sp.Config.Healthcheck.Interval)
	for _, f := range sp.Check() {
		if f.Rule == rule.ContainerHealthcheck {
			assert.Equal(t, rule.StatusPass, f.Status, "the image's HEALTHCHECK decides: %s", f.Reason)
		}
	}
	_, err = Build(testImage, append(hardenedOpts(), WithHealthcheck(&container.HealthConfig{Test: []string{""}}))...)
	assert.ErrorIs(t, err, ErrInvalidSpec)
}
