package swarm_test

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/swarm"
)

func gapRules(gs []swarm.Gap) []rule.ID {
	var out []rule.ID
	for _, g := range gs {
		out = append(out, g.Rule)
	}
	return out
}

func findGap(gs []swarm.Gap, id rule.ID) (swarm.Gap, bool) {
	for _, g := range gs {
		if g.Rule == id {
			return g, true
		}
	}
	return swarm.Gap{}, false
}

func TestServiceSpecCarriesTheProfile(t *testing.T) {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithName("web"),
		hardening.WithAddedCapabilities("NET_BIND_SERVICE"), hardening.WithCmd("serve"))
	require.NoError(t, err)
	spec, gaps, err := swarm.ServiceSpec(sp, swarm.WithCPULimit(0.5))
	require.NoError(t, err)
	cs := spec.TaskTemplate.ContainerSpec
	assert.Equal(t, "web", spec.Name)
	assert.Equal(t, imageID, cs.Image)
	assert.Equal(t, "65534:65534", cs.User)
	assert.True(t, cs.ReadOnly)
	assert.Equal(t, []string{"ALL"}, cs.CapabilityDrop)
	assert.Equal(t, []string{"CAP_NET_BIND_SERVICE"}, cs.CapabilityAdd)
	require.NotNil(t, cs.Privileges)
	assert.True(t, cs.Privileges.NoNewPrivileges)
	assert.Equal(t, swarmtypes.SeccompModeDefault, cs.Privileges.Seccomp.Mode)
	assert.Equal(t, []string{"serve"}, cs.Args)
	lim := spec.TaskTemplate.Resources.Limits
	assert.EqualValues(t, policy.DefaultPidsLimit, lim.Pids)
	assert.EqualValues(t, policy.DefaultMemory, lim.MemoryBytes)
	assert.EqualValues(t, 500_000_000, lim.NanoCPUs)
	rp := spec.TaskTemplate.RestartPolicy
	assert.Equal(t, swarmtypes.RestartPolicyConditionOnFailure, rp.Condition)
	assert.EqualValues(t, 5, *rp.MaxAttempts)
	assert.Equal(t, "json-file", spec.TaskTemplate.LogDriver.Name)
	assert.Equal(t, "10m", spec.TaskTemplate.LogDriver.Options["max-size"])
	require.Len(t, cs.Mounts, 1)
	assert.Equal(t, "/tmp", cs.Mounts[0].Target)
	assert.EqualValues(t, 64<<20, cs.Mounts[0].TmpfsOptions.SizeBytes)
	assert.EqualValues(t, 0o1777, cs.Mounts[0].TmpfsOptions.Mode)
	assert.Equal(t, []rule.ID{rule.ContainerNetworkIsolation}, gapRules(gaps),
		"on the latest API only the missing 'none' network is a gap: %v", gaps)
	g, _ := findGap(gaps, rule.ContainerNetworkIsolation)
	assert.Contains(t, g.Cover, `"icc": false`)

	// The same rules judge the service: all pass but the gap.
	s := swarm.SubjectFromService(spec, hardening.HostFacts{}, nil)
	s.Image = sp.Image
	for _, f := range hardening.Evaluate(s) {
		if f.Rule == rule.ContainerNetworkIsolation || f.Rule == rule.ContainerNonRootUser && f.Status == rule.StatusPass {
			continue
		}
		assert.NotEqual(t, rule.StatusFail, f.Status, "%s: %s %s", f.Rule, f.Reason, f.Detail)
	}
}

func TestServiceSpecReportsWhatOlderEnginesCannotExpress(t *testing.T) {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser())
	require.NoError(t, err)

	// Docker 20.10 (API 1.41): no privileges fields; the engine would
	// ignore NoNewPrivileges silently, so the spec leaves it out and says so.
	spec, gaps, err := swarm.ServiceSpec(sp, swarm.WithAPIVersion("1.41"))
	require.NoError(t, err)
	assert.Nil(t, spec.TaskTemplate.ContainerSpec.Privileges)
	assert.Equal(t, []string{"ALL"}, spec.TaskTemplate.ContainerSpec.CapabilityDrop)
	g, ok := findGap(gaps, rule.ContainerNoNewPrivileges)
	require.True(t, ok, "%v", gaps)
	assert.Equal(t, swarm.APIVersionServicePrivileges, g.Since)
	assert.Contains(t, g.Cover, `"no-new-privileges": true`)
	assert.Contains(t, g.String(), "expressible from Engine API 1.44")
	_, ok = findGap(gaps, rule.ContainerCPUShares)
	assert.True(t, ok, "swarm has no CPU shares: %v", gaps)
	f := g.Finding("service:x")
	assert.Equal(t, rule.StatusWarn, f.Status)
	assert.Equal(t, []string{"5.26"}, f.CIS)

	// API 1.40: capabilities and PIDs limits are gaps too.
	spec, gaps, err = swarm.ServiceSpec(sp, swarm.WithAPIVersion("1.40"))
	require.NoError(t, err)
	assert.Empty(t, spec.TaskTemplate.ContainerSpec.CapabilityDrop)
	assert.Zero(t, spec.TaskTemplate.Resources.Limits.Pids)
	for _, id := range []rule.ID{rule.ContainerCapabilities, rule.ContainerPidsLimit, rule.ContainerNoNewPrivileges} {
		_, ok := findGap(gaps, id)
		assert.True(t, ok, "%s: %v", id, gaps)
	}

	// A custom seccomp profile cannot travel to 1.41 either.
	sp2, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithSecurityOpt(`seccomp={"defaultAction":"SCMP_ACT_ERRNO"}`))
	require.NoError(t, err)
	_, gaps, err = swarm.ServiceSpec(sp2, swarm.WithAPIVersion("1.41"))
	require.NoError(t, err)
	_, ok = findGap(gaps, rule.ContainerSeccomp)
	assert.True(t, ok, "%v", gaps)
	spec, _, err = swarm.ServiceSpec(sp2, swarm.WithAPIVersion("1.44"))
	require.NoError(t, err)
	assert.Equal(t, swarmtypes.SeccompModeCustom, spec.TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode)

	_, _, err = swarm.ServiceSpec(sp, swarm.WithAPIVersion("one"))
	assert.ErrorIs(t, err, hardening.ErrInvalidSpec)
}

func TestServiceSpecPublishesInHostModeAndSaysItCannotBind(t *testing.T) {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithNetwork("web"),
		hardening.WithAddedPort("127.0.0.1:8080:80"))
	require.NoError(t, err)
	spec, gaps, err := swarm.ServiceSpec(sp)
	require.NoError(t, err)
	require.Len(t, spec.EndpointSpec.Ports, 1)
	p := spec.EndpointSpec.Ports[0]
	assert.Equal(t, swarmtypes.PortConfigPublishModeHost, p.PublishMode, "never the routing mesh")
	assert.EqualValues(t, 8080, p.PublishedPort)
	assert.EqualValues(t, 80, p.TargetPort)
	assert.Equal(t, []swarmtypes.NetworkAttachmentConfig{{Target: "web"}}, spec.TaskTemplate.Networks)
	g, ok := findGap(gaps, rule.ContainerPortBindInterface)
	require.True(t, ok, "%v", gaps)
	assert.Contains(t, g.Reason, "127.0.0.1:8080->80/tcp")
	assert.Empty(t, g.Since, "no swarm API version can bind an address")
	_, ok = findGap(gaps, rule.ContainerNetworkIsolation)
	assert.True(t, ok, "overlay networks have no ICC switch: %v", gaps)

	// Waived, the port binding is no longer reported.
	sp, err = hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithNetwork("web"),
		hardening.WithAddedPort("127.0.0.1:8080:80"), hardening.Waive(rule.ContainerPortBindInterface, "firewalled"))
	require.NoError(t, err)
	_, gaps, err = swarm.ServiceSpec(sp)
	require.NoError(t, err)
	assert.NotContains(t, gapRules(gaps), rule.ContainerPortBindInterface)
}

func TestServiceSpecSecrets(t *testing.T) {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithAddedEnv("DB_PASSWORD=hunter2", "MODE=prod"))
	require.NoError(t, err)
	_, _, err = swarm.ServiceSpec(sp)
	var v *rule.Violation
	require.ErrorAs(t, err, &v)
	assert.Equal(t, swarm.SwarmSecretsInEnv, v.Rule)
	assert.Contains(t, err.Error(), "DB_PASSWORD")
	assert.NotContains(t, err.Error(), "hunter2", "the value never appears in errors")

	spec, _, err := swarm.ServiceSpec(sp, swarm.Waive(swarm.SwarmSecretsInEnv, "test fixture, not a real password"))
	require.NoError(t, err)
	assert.Equal(t, "test fixture, not a real password", spec.Labels[hardening.LabelWaivePrefix+string(swarm.SwarmSecretsInEnv)])

	sp, err = hardening.Build(imageID, hardening.WithNonRootUser())
	require.NoError(t, err)
	spec, _, err = swarm.ServiceSpec(sp, swarm.WithAddedSecret("db_password", ""))
	require.NoError(t, err)
	require.Len(t, spec.TaskTemplate.ContainerSpec.Secrets, 1)
	ref := spec.TaskTemplate.ContainerSpec.Secrets[0]
	assert.Equal(t, "db_password", ref.SecretName)
	assert.Equal(t, "db_password", ref.File.Name)
	assert.EqualValues(t, 0o400, ref.File.Mode)
	_, _, err = swarm.ServiceSpec(sp, swarm.WithAddedSecret("../etc", "x"))
	assert.ErrorIs(t, err, hardening.ErrInvalidSpec)
	_, _, err = swarm.ServiceSpec(sp, swarm.Waive(rule.ContainerCapabilities, "x"))
	assert.Error(t, err, "swarm.Waive takes swarm rules; container rules are waived with hardening.Waive")
}

func TestServiceSpecRefusesWhatASwarmServiceCannotBe(t *testing.T) {
	cases := map[string]hardening.Option{
		"privileged": hardening.WithHostConfig(func(hc *container.HostConfig) { hc.Privileged = true }),
		"host pid":   hardening.WithHostConfig(func(hc *container.HostConfig) { hc.PidMode = "host" }),
		"devices": hardening.WithHostConfig(func(hc *container.HostConfig) {
			hc.Devices = []container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}}
		}),
	}
	waiveAll := []hardening.Option{}
	for _, r := range hardening.Rules() {
		waiveAll = append(waiveAll, hardening.Waive(r.ID, "test"))
	}
	for name, o := range cases {
		t.Run(name, func(t *testing.T) {
			sp, err := hardening.Build(imageID, append(slices.Clone(waiveAll), hardening.WithNonRootUser(), o)...)
			require.NoError(t, err)
			_, _, err = swarm.ServiceSpec(sp)
			assert.ErrorIs(t, err, hardening.ErrInvalidSpec)
		})
	}
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithTmpfs("/cache", "rw,noexec,nosuid,nodev,uid=1000"))
	require.NoError(t, err)
	_, _, err = swarm.ServiceSpec(sp, swarm.WithAPIVersion("1.41"))
	assert.ErrorIs(t, err, hardening.ErrInvalidSpec, "tmpfs uid= needs API 1.46")
	spec, _, err := swarm.ServiceSpec(sp, swarm.WithAPIVersion("1.46"))
	require.NoError(t, err)
	var opts [][]string
	for _, m := range spec.TaskTemplate.ContainerSpec.Mounts {
		if m.Target == "/cache" {
			opts = m.TmpfsOptions.Options
		}
	}
	assert.Equal(t, [][]string{{"uid", "1000"}}, opts)
	_, _, err = swarm.ServiceSpec(nil)
	assert.Error(t, err)
	assert.False(t, errors.Is(err, swarm.ErrTaskFailed))
}

func TestSubjectFromServiceJudgesLooseServices(t *testing.T) {
	spec := swarmtypes.ServiceSpec{
		Annotations:  swarmtypes.Annotations{Name: "loose"},
		TaskTemplate: swarmtypes.TaskSpec{ContainerSpec: &swarmtypes.ContainerSpec{Image: "nginx:latest", User: "0"}},
		EndpointSpec: &swarmtypes.EndpointSpec{Ports: []swarmtypes.PortConfig{{TargetPort: 80, PublishedPort: 80}}},
	}
	fails := map[rule.ID]bool{}
	for _, f := range hardening.Evaluate(swarm.SubjectFromService(spec, hardening.HostFacts{}, nil)) {
		if f.Status == rule.StatusFail {
			fails[f.Rule] = true
		}
	}
	for _, id := range []rule.ID{rule.ContainerNonRootUser, rule.ContainerCapabilities, rule.ContainerReadOnlyRootfs,
		rule.ContainerRestartPolicy, rule.ContainerMemoryLimit, rule.ContainerPidsLimit, rule.ContainerNoNewPrivileges,
		rule.ContainerPrivilegedPorts, rule.ContainerPortBindInterface, rule.ContainerImagePinned, rule.ContainerNetworkIsolation} {
		assert.True(t, fails[id], "%s should fail on a default service", id)
	}
}

// Every label option reaches the task's SELinux context, as dockerd reads
// them for a container; one with no swarm field is refused.
func TestServiceSpecCarriesEverySELinuxLabelOption(t *testing.T) {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(),
		hardening.WithSecurityOpt("label=type:svirt_apache_t"), hardening.WithSecurityOpt("label=level:s0:c100,c200"))
	require.NoError(t, err)
	spec, _, err := swarm.ServiceSpec(sp)
	require.NoError(t, err)
	assert.Equal(t, &swarmtypes.SELinuxContext{Type: "svirt_apache_t", Level: "s0:c100,c200"}, spec.TaskTemplate.ContainerSpec.Privileges.SELinuxContext)

	sp, err = hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithSecurityOpt("label=nested"))
	require.NoError(t, err)
	_, _, err = swarm.ServiceSpec(sp)
	require.ErrorIs(t, err, hardening.ErrInvalidSpec)
	assert.ErrorContains(t, err, `"label=nested" has no swarm field`)
}

// hardenedOpts is the profile hardening's own tests build with: a non-root
// user, a host with every optional facility, a known image, an isolated
// network.
func hardenedOpts() []hardening.Option {
	return []hardening.Option{
		hardening.WithNonRootUser(),
		hardening.WithHostFacts(hardening.HostFacts{Known: true, AppArmor: true, SELinux: true, UsernsRemap: true}),
		hardening.WithImageFacts(hardening.ImageFacts{ID: imageID, Healthcheck: true}),
		hardening.WithNetwork("isolated"),
	}
}

func TestServiceSpecCarriesOrRefusesServiceSettings(t *testing.T) {
	sp, err := hardening.Build(imageID, append(hardenedOpts(), hardening.WithHostname("web"), hardening.WithStopTimeout(7*time.Second),
		hardening.WithSysctl("net.core.somaxconn", "512"), hardening.WithDNS("10.0.0.53"), hardening.WithDNSSearch("corp"), hardening.WithAddedHosts("db:10.0.0.5"),
		hardening.WithAddedGroups("100"), hardening.WithWorkingDir("/srv"), hardening.WithInit(), hardening.WithStopSignal("SIGQUIT"), hardening.WithUlimit("nofile=10:20"))...)
	require.NoError(t, err)
	out, _, err := swarm.ServiceSpec(sp)
	require.NoError(t, err)
	cs := out.TaskTemplate.ContainerSpec
	assert.Equal(t, "web", cs.Hostname)
	require.NotNil(t, cs.StopGracePeriod)
	assert.Equal(t, 7*time.Second, *cs.StopGracePeriod)
	assert.Equal(t, map[string]string{"net.core.somaxconn": "512"}, cs.Sysctls)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.53")}, cs.DNSConfig.Nameservers)
	assert.Equal(t, []string{"10.0.0.5 db"}, cs.Hosts)
	assert.Equal(t, []string{"100"}, cs.Groups)
	assert.Equal(t, "/srv", cs.Dir)
	assert.Equal(t, "SIGQUIT", cs.StopSignal)
	assert.True(t, *cs.Init)

	for name, o := range map[string]hardening.Option{
		"shm":           hardening.WithShmSize(1 << 20),
		"added network": hardening.WithAddedNetwork("other"),
		"aliases":       hardening.WithNetworkAliases("web"),
	} {
		sp, err := hardening.Build(imageID, append(hardenedOpts(), o)...)
		require.NoError(t, err, name)
		_, _, err = swarm.ServiceSpec(sp)
		assert.ErrorIs(t, err, hardening.ErrInvalidSpec, "%s is refused, not dropped", name)
	}
}
