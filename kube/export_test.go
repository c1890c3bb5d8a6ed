package kube_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/kube"
	"github.com/safedock/safedock/rule"
)

// TestMappingsCoverTheCatalog: every hardening rule has exactly one mapping,
// in catalog order, and a rule without pod fields says why.
func TestMappingsCoverTheCatalog(t *testing.T) {
	var want, got []rule.ID
	for _, r := range hardening.Rules() {
		want = append(want, r.ID)
	}
	for _, m := range kube.Mappings() {
		got = append(got, m.Rule)
		if len(m.Fields) == 0 {
			assert.NotEmpty(t, m.Note, "%s has no pod field and no note saying why", m.Rule)
			assert.Empty(t, m.PodSecurity, "%s: no field, so no Pod Security check", m.Rule)
		}
	}
	assert.Equal(t, want, got)
}

// TestWaiverLoosensItsField checks, for the rules Pod Security does not
// judge, that the waiver changes the pod field the mapping names.
func TestWaiverLoosensItsField(t *testing.T) {
	ctr := func(p *corev1.Pod) *corev1.Container { return &p.Spec.Containers[0] }
	checks := map[rule.ID]func(t *testing.T, base, loose *corev1.Pod){
		rule.ContainerReadOnlyRootfs: func(t *testing.T, base, loose *corev1.Pod) {
			assert.True(t, *ctr(base).SecurityContext.ReadOnlyRootFilesystem)
			assert.False(t, *ctr(loose).SecurityContext.ReadOnlyRootFilesystem)
		},
		rule.ContainerMemoryLimit: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Equal(t, "512Mi", ctr(base).Resources.Limits.Memory().String())
			assert.True(t, ctr(loose).Resources.Limits.Memory().IsZero())
		},
		rule.ContainerCPUShares: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Equal(t, "500m", ctr(base).Resources.Requests.Cpu().String())
			assert.True(t, ctr(loose).Resources.Requests.Cpu().IsZero())
		},
		rule.ContainerRestartPolicy: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Equal(t, corev1.RestartPolicyOnFailure, base.Spec.RestartPolicy)
			assert.Equal(t, corev1.RestartPolicyAlways, loose.Spec.RestartPolicy)
		},
		rule.ContainerImagePinned: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Contains(t, ctr(base).Image, "@sha256:")
			assert.Equal(t, "registry.example/app:latest", ctr(loose).Image)
		},
		rule.ContainerMountPropagation: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Nil(t, ctr(base).VolumeMounts[0].MountPropagation)
			assert.Equal(t, corev1.MountPropagationBidirectional, *ctr(loose).VolumeMounts[0].MountPropagation)
		},
		rule.ContainerPortBindInterface: func(t *testing.T, base, loose *corev1.Pod) {
			assert.Equal(t, ctr(base).Ports, ctr(loose).Ports, "without WithHostPorts no host address is carried")
		},
	}
	for _, tc := range waiverCases() {
		check, ok := checks[tc.rule]
		if !ok {
			continue
		}
		t.Run(string(tc.rule), func(t *testing.T) {
			check(t, export(t, tc.base).Pod, export(t, tc.loose).Pod)
		})
	}
}

func TestExportRefusesWhatBuildRefuses(t *testing.T) {
	sp := hardening.NewSpec("img@sha256:" + strings.Repeat("b", 64)) // no user, no waiver
	_, err := kube.Export(sp)
	var v *rule.Violation
	require.ErrorAs(t, err, &v)
	assert.Equal(t, rule.ContainerNonRootUser, v.Rule)
}

func TestExportNotExpressible(t *testing.T) {
	for name, opts := range map[string][]hardening.Option{
		"user name":      {hardening.WithUser("app")},
		"group name":     {hardening.WithUser("1000:staff")},
		"custom seccomp": {hardening.WithNonRootUser(), hardening.WithSecurityOpt(`seccomp={"defaultAction":"SCMP_ACT_ERRNO"}`)},
		"container network": {hardening.WithNonRootUser(), hardening.WithNetwork("container:abc"),
			hardening.Waive(rule.ContainerNetworkIsolation, "test")},
	} {
		t.Run(name, func(t *testing.T) {
			sp, err := hardening.Build("img@sha256:"+strings.Repeat("c", 64), opts...)
			require.NoError(t, err)
			_, err = kube.Export(sp)
			require.ErrorIs(t, err, kube.ErrNotExpressible)
			assert.Equal(t, strings.ToLower(err.Error()[:1]), err.Error()[:1])
		})
	}
}

func TestLocalhostSeccomp(t *testing.T) {
	sp, err := hardening.Build("img@sha256:"+strings.Repeat("c", 64), hardening.WithNonRootUser(),
		hardening.WithSecurityOpt(`seccomp={"defaultAction":"SCMP_ACT_ERRNO"}`))
	require.NoError(t, err)
	m, err := kube.Export(sp, kube.WithLocalhostSeccomp("profiles/app.json"))
	require.NoError(t, err)
	sc := m.Pod.Spec.SecurityContext.SeccompProfile
	assert.Equal(t, corev1.SeccompProfileTypeLocalhost, sc.Type)
	assert.Equal(t, "profiles/app.json", *sc.LocalhostProfile)
	ids, _ := podSecurity(t, m.Pod)
	assert.Empty(t, ids)

	_, err = kube.Export(sp, kube.WithLocalhostSeccomp("/etc/x.json"))
	assert.Error(t, err)
}

func TestExportMapsProfileFields(t *testing.T) {
	m := export(t, []hardening.Option{
		hardening.WithUser("1000:2000"),
		hardening.WithAddedCapabilities("CAP_NET_BIND_SERVICE"),
		hardening.WithCPUShares(1024 + 512),
		hardening.WithTmpfs("/cache", "rw,noexec,nosuid,nodev,size=16m"),
		hardening.WithAddedVolume("appdata:/data:ro"),
		hardening.WithAddedEnv("A=1", "B=x=y"),
		hardening.WithEntrypoint("/app"), hardening.WithCmd("--serve"),
		hardening.WithName("My_App"),
		hardening.WithHostConfig(func(hc *container.HostConfig) { hc.NanoCPUs = 1_500_000_000 }),
		func(sp *hardening.Spec) error {
			sp.Config.Healthcheck = &container.HealthConfig{Test: []string{"CMD-SHELL", "wget -q -O- localhost:8080"}, Retries: 3}
			return nil
		},
	})
	p := m.Pod
	c := p.Spec.Containers[0]
	assert.Equal(t, "my-app", p.Name)
	assert.Equal(t, "my-app", c.Name)
	assert.Equal(t, int64(1000), *p.Spec.SecurityContext.RunAsUser)
	assert.Equal(t, int64(2000), *p.Spec.SecurityContext.RunAsGroup)
	assert.True(t, *p.Spec.SecurityContext.RunAsNonRoot)
	assert.False(t, *p.Spec.AutomountServiceAccountToken)
	assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop)
	assert.Equal(t, []corev1.Capability{"NET_BIND_SERVICE"}, c.SecurityContext.Capabilities.Add)
	assert.Equal(t, "1500m", c.Resources.Requests.Cpu().String())
	assert.Equal(t, "1500m", c.Resources.Limits.Cpu().String())
	assert.Equal(t, []string{"/app"}, c.Command)
	assert.Equal(t, []string{"--serve"}, c.Args)
	assert.Equal(t, []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "x=y"}}, c.Env)
	assert.Equal(t, []string{"/bin/sh", "-c", "wget -q -O- localhost:8080"}, c.LivenessProbe.Exec.Command)
	assert.Equal(t, int32(3), c.LivenessProbe.FailureThreshold)

	vols := map[string]corev1.Volume{}
	for _, v := range p.Spec.Volumes {
		vols[v.Name] = v
	}
	require.Len(t, c.VolumeMounts, 3)
	for _, vm := range c.VolumeMounts {
		v, ok := vols[vm.Name]
		require.True(t, ok, vm.Name)
		switch vm.MountPath {
		case "/cache":
			assert.Equal(t, corev1.StorageMediumMemory, v.EmptyDir.Medium)
			assert.Equal(t, "16Mi", v.EmptyDir.SizeLimit.String())
		case "/tmp":
			assert.Equal(t, "64Mi", v.EmptyDir.SizeLimit.String())
		case "/data":
			assert.True(t, vm.ReadOnly)
			assert.Equal(t, "appdata", v.PersistentVolumeClaim.ClaimName)
		default:
			t.Errorf("unexpected mount %s", vm.MountPath)
		}
	}
	ids, detail := podSecurity(t, p)
	assert.Empty(t, ids, detail)
}

func TestNotesNeverSilent(t *testing.T) {
	m := export(t, []hardening.Option{hardening.WithNonRootUser()})
	var rules []rule.ID
	for _, n := range m.Notes {
		rules = append(rules, n.Rule)
	}
	for _, id := range []rule.ID{rule.ContainerPidsLimit, rule.ContainerRestartPolicy, rule.ContainerLogRotation,
		rule.ContainerNetworkIsolation, rule.ContainerTmpfsFlags} {
		assert.Contains(t, rules, id)
	}
	pids := m.Notes[slices.IndexFunc(m.Notes, func(n kube.Note) bool { return n.Rule == rule.ContainerPidsLimit })]
	assert.Contains(t, pids.Text, "podPidsLimit")
	assert.Contains(t, pids.Text, "256")
}

func TestYAMLIsDeterministic(t *testing.T) {
	opts := []hardening.Option{hardening.WithNonRootUser(), hardening.WithNetwork("web"),
		hardening.WithAddedPort("127.0.0.1:8080:80"), hardening.WithAddedPort("127.0.0.1:8443:443"), hardening.WithAddedPort("127.0.0.1:5353:53/udp"),
		hardening.WithTmpfs("/a", ""), hardening.WithTmpfs("/b", ""), hardening.WithTmpfs("/c", ""),
		hardening.Waive(rule.ContainerReadOnlyRootfs, "r"), hardening.Waive(rule.ContainerCPUShares, "c"),
		hardening.WithHostConfig(func(hc *container.HostConfig) { hc.ReadonlyRootfs = false; hc.CPUShares = 0 }),
	}
	first, err := export(t, opts).YAML()
	require.NoError(t, err)
	for range 20 {
		again, err := export(t, opts).YAML()
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
	assert.NotContains(t, string(first), "status:")
	assert.Contains(t, string(first), "safedock.io/waive.container.read-only-rootfs: r")
}

func TestOptionErrors(t *testing.T) {
	sp, err := hardening.Build("img@sha256:"+strings.Repeat("d", 64), hardening.WithNonRootUser())
	require.NoError(t, err)
	for _, o := range []kube.Option{kube.WithName("Bad_Name"), kube.WithNamespace("a.b"), kube.WithLocalhostSeccomp("../x")} {
		_, err := kube.Export(sp, o)
		assert.Error(t, err)
	}
	_, err = kube.Export(nil)
	assert.Error(t, err)
	var m *kube.Manifest
	_, err = m.YAML()
	assert.True(t, err != nil && !errors.Is(err, kube.ErrNotExpressible))
}

func TestExportCarriesOrRefusesServiceSettings(t *testing.T) {
	sp, err := hardening.Build("img@sha256:"+strings.Repeat("c", 64), append([]hardening.Option{hardening.WithNonRootUser()}, hardening.WithHostname("web"), hardening.WithStopTimeout(7*time.Second),
		hardening.WithSysctl("net.core.somaxconn", "512"), hardening.WithAddedHosts("db:10.0.0.5"), hardening.WithWorkingDir("/srv"))...)
	require.NoError(t, err)
	m, err := kube.Export(sp)
	require.NoError(t, err)
	ps := m.Pod.Spec
	assert.Equal(t, "web", ps.Hostname)
	assert.EqualValues(t, 7, *ps.TerminationGracePeriodSeconds)
	require.Len(t, ps.SecurityContext.Sysctls, 1)
	assert.Equal(t, "net.core.somaxconn", ps.SecurityContext.Sysctls[0].Name)
	assert.Equal(t, "10.0.0.5", ps.HostAliases[0].IP)
	assert.Equal(t, "/srv", ps.Containers[0].WorkingDir)

	for name, o := range map[string]hardening.Option{
		"ulimit":        hardening.WithUlimit("nofile=1:2"),
		"init":          hardening.WithInit(),
		"stop signal":   hardening.WithStopSignal("SIGQUIT"),
		"dns":           hardening.WithDNS("10.0.0.53"),
		"groups":        hardening.WithAddedGroups("100"),
		"shm":           hardening.WithShmSize(1 << 20),
		"swap":          hardening.WithMemorySwap(-1),
		"added network": hardening.WithAddedNetwork("other"),
		"dotted host":   hardening.WithHostname("a.b"),
	} {
		sp, err := hardening.Build("img@sha256:"+strings.Repeat("c", 64), append([]hardening.Option{hardening.WithNonRootUser()}, o)...)
		require.NoError(t, err, name)
		_, err = kube.Export(sp)
		assert.ErrorIs(t, err, kube.ErrNotExpressible, "%s is refused, not dropped", name)
	}
}
