package hardening

import (
	"errors"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

const testImage = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// hostAll is a host with every optional facility, so no rule skips for lack of one.
var hostAll = HostFacts{Known: true, AppArmor: true, SELinux: true, UsernsRemap: true}

func hardenedOpts() []Option {
	return []Option{
		WithNonRootUser(),
		WithHostFacts(hostAll),
		WithImageFacts(ImageFacts{ID: testImage, Healthcheck: true}),
		WithNetwork("isolated"),
	}
}

func TestCatalogCoversEveryContainerRule(t *testing.T) {
	require.NoError(t, Rules().Validate())
	var ids []rule.ID
	for _, r := range rule.ContainerRules() {
		ids = append(ids, r.ID)
	}
	var got []rule.ID
	for _, r := range Rules() {
		got = append(got, r.ID)
	}
	assert.Equal(t, ids, got, "hardening must implement every container rule of the shared catalog")
}

// Every secure default belongs to a rule of the catalog, and NewSpec
// applies it.
func TestDefaultsAreForCatalogRules(t *testing.T) {
	for id := range defaults {
		_, ok := checks.Lookup(id)
		assert.True(t, ok, "default for %s, which is not in the catalog", id)
	}
	require.NoError(t, checks.Validate())
}

// The symmetry test: what the builder makes, the checker passes. Only
// rules that need the running container may skip.
func TestSymmetryBuildPassesCheck(t *testing.T) {
	sp, err := Build(testImage, hardenedOpts()...)
	require.NoError(t, err)
	for _, f := range sp.Check() {
		switch f.Rule {
		case rule.ContainerNoSSHD:
			assert.Equal(t, rule.StatusSkip, f.Status, f.Reason)
		default:
			assert.Equal(t, rule.StatusPass, f.Status, "%s: %s (%s)", f.Rule, f.Reason, f.Detail)
		}
	}
}

func violationIDs(err error) []rule.ID {
	var ids []rule.ID
	var walk func(error)
	walk = func(e error) {
		var v *rule.Violation
		if errors.As(e, &v) && e == error(v) {
			ids = append(ids, v.Rule)
			return
		}
		switch x := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range x.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	if err != nil {
		walk(err)
	}
	return ids
}

// breaking lists, for every rule, options that make it fail (or warn), so
// each rule is proven to be able to fail and to be waivable.
var breaking = map[rule.ID]struct {
	opts   []Option
	status rule.Status
}{
	rule.ContainerNonRootUser:       {[]Option{WithUser("root")}, rule.StatusFail},
	rule.ContainerCapabilities:      {[]Option{WithAddedCapabilities("SYS_ADMIN")}, rule.StatusFail},
	rule.ContainerPrivileged:        {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.Privileged = true })}, rule.StatusFail},
	rule.ContainerSensitiveMounts:   {[]Option{WithAddedVolume("/etc:/host-etc")}, rule.StatusFail},
	rule.ContainerNoSSHD:            {[]Option{WithAddedPort("127.0.0.1:2222:22")}, rule.StatusFail},
	rule.ContainerPrivilegedPorts:   {[]Option{WithAddedPort("127.0.0.1:80:8080")}, rule.StatusFail},
	rule.ContainerHostNetwork:       {[]Option{WithNetwork("host")}, rule.StatusFail},
	rule.ContainerMemoryLimit:       {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.Memory = 0 })}, rule.StatusFail},
	rule.ContainerCPUShares:         {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.CPUShares = 0 })}, rule.StatusFail},
	rule.ContainerReadOnlyRootfs:    {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.ReadonlyRootfs = false })}, rule.StatusFail},
	rule.ContainerPortBindInterface: {[]Option{WithAddedPort("8080:80")}, rule.StatusFail},
	rule.ContainerRestartPolicy:     {[]Option{WithRestartPolicy("always", 0)}, rule.StatusFail},
	rule.ContainerHostPID:           {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.PidMode = "host" })}, rule.StatusFail},
	rule.ContainerHostIPC:           {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.IpcMode = "host" })}, rule.StatusFail},
	rule.ContainerHostDevices: {[]Option{WithHostConfig(func(hc *container.HostConfig) {
		hc.Devices = []container.DeviceMapping{{PathOnHost: "/dev/sda", PathInContainer: "/dev/sda", CgroupPermissions: "rwm"}}
	})}, rule.StatusFail},
	rule.ContainerMountPropagation: {[]Option{WithAddedVolume("/srv/data:/data:rshared")}, rule.StatusFail},
	rule.ContainerHostUTS:          {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.UTSMode = "host" })}, rule.StatusFail},
	rule.ContainerSeccomp:          {[]Option{WithSecurityOpt("seccomp=unconfined")}, rule.StatusFail},
	rule.ContainerAppArmor:         {[]Option{WithSecurityOpt("apparmor=unconfined")}, rule.StatusFail},
	rule.ContainerSELinux:          {[]Option{WithSecurityOpt("label=disable")}, rule.StatusFail},
	rule.ContainerCgroupParent:     {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.CgroupParent = "/custom" })}, rule.StatusWarn},
	rule.ContainerNoNewPrivileges:  {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.SecurityOpt = nil })}, rule.StatusFail},
	rule.ContainerHealthcheck:      {[]Option{WithImageFacts(ImageFacts{ID: testImage})}, rule.StatusWarn},
	rule.ContainerPidsLimit:        {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.PidsLimit = nil })}, rule.StatusFail},
	rule.ContainerHostUserns:       {[]Option{WithHostConfig(func(hc *container.HostConfig) { hc.UsernsMode = "host" })}, rule.StatusFail},
	rule.ContainerDockerSocket:     {[]Option{WithAddedVolume("/var/run/docker.sock:/var/run/docker.sock:ro")}, rule.StatusFail},
	rule.ContainerLogRotation:      {[]Option{WithLogConfig("json-file", nil)}, rule.StatusFail},
	rule.ContainerNetworkIsolation: {[]Option{WithNetwork("bridge")}, rule.StatusFail},
	rule.ContainerTmpfsFlags:       {[]Option{WithTmpfs("/scratch", "rw,exec,size=10m")}, rule.StatusFail},
}

func TestEveryRuleFailsOnItsFixtureAndIsWaivable(t *testing.T) {
	for _, r := range Rules() {
		t.Run(string(r.ID), func(t *testing.T) {
			if r.ID == rule.ContainerImagePinned {
				// The only way to break it is a tag, covered below.
				_, err := Build("nginx:latest", hardenedOpts()...)
				assert.Contains(t, violationIDs(err), r.ID)
				return
			}
			b, ok := breaking[r.ID]
			require.True(t, ok, "no failing fixture for %s", r.ID)
			opts := append(hardenedOpts(), b.opts...)
			sp, err := Build(testImage, opts...)
			if b.status == rule.StatusFail {
				require.Error(t, err)
				assert.Contains(t, violationIDs(err), r.ID, "error: %v", err)
				var v *rule.Violation
				require.ErrorAs(t, err, &v)
				assert.Contains(t, err.Error(), "Waive(")

				// Waivers make the same spec acceptable, and the rule is reported
				// waived. (Some settings break several rules: privileged also
				// lifts capabilities and seccomp; each needs its own waiver.)
				for _, id := range violationIDs(err) {
					opts = append(opts, Waive(id, "test fixture"))
				}
				sp, err = Build(testImage, opts...)
				require.NoError(t, err, "waived %s", r.ID)
				assert.Equal(t, rule.StatusWaived, findingOf(sp.Check(), r.ID).Status)
				assert.Equal(t, "test fixture", sp.Config.Labels[LabelWaivePrefix+string(r.ID)])
				return
			}
			require.NoError(t, err)
			assert.Equal(t, b.status, findingOf(sp.Check(), r.ID).Status)
		})
	}
}

func findingOf(fs []rule.Finding, id rule.ID) rule.Finding {
	for _, f := range fs {
		if f.Rule == id {
			return f
		}
	}
	return rule.Finding{}
}

func TestDefaults(t *testing.T) {
	sp, err := Build(testImage, hardenedOpts()...)
	require.NoError(t, err)
	hc := sp.HostConfig
	assert.Equal(t, []string{"ALL"}, hc.CapDrop)
	assert.True(t, hc.ReadonlyRootfs)
	assert.Contains(t, hc.SecurityOpt, "no-new-privileges:true")
	assert.Contains(t, hc.SecurityOpt, "apparmor=docker-default")
	assert.Equal(t, container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 5}, hc.RestartPolicy)
	assert.Equal(t, policy.DefaultMemory, hc.Memory)
	assert.Equal(t, policy.DefaultCPUShares, hc.CPUShares)
	assert.Equal(t, policy.DefaultPidsLimit, *hc.PidsLimit)
	assert.Equal(t, policy.DefaultTmpfs, hc.Tmpfs["/tmp"])
	assert.Equal(t, "json-file", hc.LogConfig.Type)
	assert.Equal(t, "10m", hc.LogConfig.Config["max-size"])
	assert.Equal(t, container.NetworkMode("isolated"), hc.NetworkMode)
	assert.Equal(t, policy.DefaultUser, sp.Config.User)
	assert.False(t, hc.Privileged)

	// Without WithNetwork the builder gives no network at all.
	sp, err = Build(testImage, WithNonRootUser())
	require.NoError(t, err)
	assert.Equal(t, container.NetworkMode("none"), sp.HostConfig.NetworkMode)
	assert.NotContains(t, sp.HostConfig.SecurityOpt, "apparmor=docker-default", "no AppArmor option on a host without AppArmor")
}

func TestInvalidOptionsAreClearErrors(t *testing.T) {
	cases := map[string]struct {
		opt  Option
		want string
	}{
		"memory below daemon minimum": {WithMemory(1 << 20), "6 MiB"},
		"unknown capability":          {WithAddedCapabilities("NET_BIND"), "not a Linux capability"},
		"bad user":                    {WithUser("app; rm -rf /"), "uid[:gid]"},
		"relative volume source":      {WithAddedVolume("data/x:/data"), "absolute host path or a volume name"},
		"relative volume target":      {WithAddedVolume("/srv:data"), "must be absolute"},
		"unknown volume option":       {WithAddedVolume("/srv:/data:rw,exec"), "unknown option"},
		"bad publish":                 {WithAddedPort("a:b:c:d"), "IP:HOSTPORT:CONTAINERPORT"},
		"bad publish address":         {WithAddedPort("localhost:8080:80"), "host address"},
		"bad publish port":            {WithAddedPort("127.0.0.1:99999:80"), "0..65535"},
		"tmpfs over root":             {WithTmpfs("/", ""), "cannot mount over /"},
		"tmpfs relative":              {WithTmpfs("tmp", ""), "must be absolute"},
		"waiver of unknown rule":      {Waive("container.nope", "x"), "not a container rule"},
		"waiver without reason":       {Waive(rule.ContainerPrivileged, " "), "needs a reason"},
		"restart policy typo":         {WithRestartPolicy("on_failure", 3), "want no, on-failure"},
		"pids limit zero":             {WithPidsLimit(0), "1 or more"},
		"cpu shares one":              {WithCPUShares(1), "2..262144"},
		"reserved label":              {WithAddedLabels(map[string]string{"io.safedock.waive.x": "y"}), "reserved"},
		"env without =":               {WithAddedEnv("FOO"), "KEY=value"},
		"bad name":                    {WithName("-x"), "container name"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Build(testImage, append(hardenedOpts(), c.opt)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestDaemonRefusedCombinations(t *testing.T) {
	_, err := Build(testImage, append(hardenedOpts(), WithAutoRemove())...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auto-remove conflicts with restart policy")

	_, err = Build(testImage, append(hardenedOpts(), WithAutoRemove(), WithRestartPolicy("no", 0))...)
	assert.NoError(t, err, "auto-remove without restart is fine")

	_, err = Build(testImage, WithNonRootUser(), WithAddedPort("127.0.0.1:8080:80"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no network")

	_, err = Build(testImage, append(hardenedOpts(), WithHostConfig(func(hc *container.HostConfig) { hc.Memory = 1024 }))...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "below the daemon's minimum")
}

// An explicit security option replaces the default of its key instead of
// standing beside it (where dockerd would apply whichever came last).
func TestWithSecurityOptReplacesTheDefault(t *testing.T) {
	sp, err := Build(testImage, append(hardenedOpts(), WithSecurityOpt("apparmor=unconfined"), Waive(rule.ContainerAppArmor, "test"))...)
	require.NoError(t, err)
	var apparmor []string
	for _, o := range sp.HostConfig.SecurityOpt {
		if securityOptKey(o) == "apparmor" {
			apparmor = append(apparmor, o)
		}
	}
	assert.Equal(t, []string{"apparmor=unconfined"}, apparmor)
	assert.Equal(t, rule.StatusWaived, findingOf(sp.Check(), rule.ContainerAppArmor).Status)
}
