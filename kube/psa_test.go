package kube_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/kube"
	"github.com/safedock/safedock/rule"
)

// restricted is the level every export is judged at: restricted, latest.
var restricted = api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}

// podSecurity evaluates pod with Kubernetes' own Pod Security admission
// library at restricted/latest and returns the IDs of the checks that
// forbid it, sorted. EvaluatePod returns results without IDs, so each
// check is also run alone to attribute the failures; the two views must
// agree (same number of failures, same reasons).
func podSecurity(t *testing.T, pod *corev1.Pod) (ids []string, detail string) {
	t.Helper()
	checks := policy.DefaultChecks()
	full, err := policy.NewEvaluator(checks, nil)
	require.NoError(t, err)
	agg := policy.AggregateCheckResults(full.EvaluatePod(restricted, &pod.ObjectMeta, &pod.Spec))

	// Baseline checks a restricted check overrides are not run at restricted.
	overridden := map[policy.CheckID]bool{}
	for _, c := range checks {
		if c.Level == api.LevelRestricted {
			for _, o := range c.Versions[len(c.Versions)-1].OverrideCheckIDs {
				overridden[o] = true
			}
		}
	}
	var reasons []string
	for _, c := range checks {
		if overridden[c.ID] {
			continue
		}
		one, err := policy.NewEvaluator([]policy.Check{c}, nil)
		require.NoError(t, err)
		for _, r := range one.EvaluatePod(restricted, &pod.ObjectMeta, &pod.Spec) {
			if !r.Allowed {
				ids = append(ids, string(c.ID))
				reasons = append(reasons, r.ForbiddenReason)
			}
		}
	}
	slices.Sort(ids)
	slices.Sort(reasons)
	want := slices.Clone(agg.ForbiddenReasons)
	slices.Sort(want)
	require.Equal(t, want, reasons, "per-check attribution disagrees with the full evaluator")
	require.Equal(t, len(ids) == 0, agg.Allowed)
	return ids, agg.ForbiddenDetail()
}

func export(t *testing.T, opts []hardening.Option, kopts ...kube.Option) *kube.Manifest {
	t.Helper()
	sp, err := hardening.Build("registry.example/app@sha256:"+strings.Repeat("a", 64), opts...)
	require.NoError(t, err)
	m, err := kube.Export(sp, kopts...)
	require.NoError(t, err)
	return m
}

func TestDefaultProfileIsAllowedAtRestricted(t *testing.T) {
	for name, opts := range map[string][]hardening.Option{
		"defaults":             {hardening.WithNonRootUser()},
		"uid only":             {hardening.WithUser("1000")},
		"net bind service":     {hardening.WithNonRootUser(), hardening.WithAddedCapabilities("NET_BIND_SERVICE")},
		"published and tmpfs":  {hardening.WithNonRootUser(), hardening.WithNetwork("web"), hardening.WithAddedPort("127.0.0.1:8080:80"), hardening.WithTmpfs("/cache", "rw,noexec,nosuid,nodev,size=16m")},
		"named volume":         {hardening.WithNonRootUser(), hardening.WithAddedVolume("appdata:/data")},
		"apparmor and selinux": {hardening.WithNonRootUser(), hardening.WithHostFacts(hardening.HostFacts{Known: true, AppArmor: true, SELinux: true})},
		"limits":               {hardening.WithNonRootUser(), hardening.WithMemory(64 << 20), hardening.WithCPUShares(256), hardening.WithPidsLimit(64)},
	} {
		t.Run(name, func(t *testing.T) {
			m := export(t, opts)
			ids, detail := podSecurity(t, m.Pod)
			assert.Empty(t, ids, "restricted forbids the hardened pod: %s", detail)
		})
	}
}

// waiverCase loosens one rule: base is a spec that keeps it, loose the same
// spec with the rule loosened under a waiver.
type waiverCase struct {
	rule        rule.ID
	base, loose []hardening.Option
	kopts       []kube.Option
}

func waive(ids ...rule.ID) []hardening.Option {
	var out []hardening.Option
	for _, id := range ids {
		out = append(out, hardening.Waive(id, "test: loosen "+string(id)))
	}
	return out
}

func with(base []hardening.Option, more ...hardening.Option) []hardening.Option {
	return append(slices.Clone(base), more...)
}

func waiverCases() []waiverCase {
	nobody := []hardening.Option{hardening.WithNonRootUser()}
	apparmorHost := with(nobody, hardening.WithHostFacts(hardening.HostFacts{Known: true, AppArmor: true}))
	selinuxHost := with(nobody, hardening.WithHostFacts(hardening.HostFacts{Known: true, SELinux: true}))
	hostMode := func(fn func(hc *container.HostConfig)) hardening.Option { return hardening.WithHostConfig(fn) }
	return []waiverCase{
		{rule: rule.ContainerNonRootUser, base: nobody, loose: with(waive(rule.ContainerNonRootUser), hardening.WithUser("0:0"))},
		{rule: rule.ContainerCapabilities, base: nobody, loose: with(nobody, append(waive(rule.ContainerCapabilities), hardening.WithAddedCapabilities("SYS_ADMIN"))...)},
		{rule: rule.ContainerPrivileged, base: nobody, loose: with(nobody, append(waive(rule.ContainerPrivileged, rule.ContainerCapabilities, rule.ContainerSeccomp),
			hostMode(func(hc *container.HostConfig) { hc.Privileged = true }))...)},
		{rule: rule.ContainerSensitiveMounts, base: nobody, loose: with(nobody, append(waive(rule.ContainerSensitiveMounts), hardening.WithAddedVolume("/etc:/host-etc"))...)},
		{rule: rule.ContainerHostNetwork, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostNetwork, rule.ContainerNetworkIsolation), hardening.WithNetwork("host"))...)},
		{rule: rule.ContainerHostPID, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostPID), hostMode(func(hc *container.HostConfig) { hc.PidMode = "host" }))...)},
		{rule: rule.ContainerHostIPC, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostIPC), hostMode(func(hc *container.HostConfig) { hc.IpcMode = "host" }))...)},
		{rule: rule.ContainerSeccomp, base: nobody, loose: with(nobody, append(waive(rule.ContainerSeccomp), hardening.WithSecurityOpt("seccomp=unconfined"))...)},
		{rule: rule.ContainerAppArmor, base: apparmorHost, loose: with(apparmorHost, append(waive(rule.ContainerAppArmor), hardening.WithSecurityOpt("apparmor=unconfined"))...)},
		{rule: rule.ContainerSELinux, base: selinuxHost, loose: with(selinuxHost, append(waive(rule.ContainerSELinux),
			hostMode(func(hc *container.HostConfig) { hc.SecurityOpt = append([]string{"label=disable"}, hc.SecurityOpt...) }))...)},
		{rule: rule.ContainerNoNewPrivileges, base: nobody, loose: with(nobody, append(waive(rule.ContainerNoNewPrivileges),
			hostMode(func(hc *container.HostConfig) {
				hc.SecurityOpt = slices.DeleteFunc(hc.SecurityOpt, func(o string) bool { return strings.HasPrefix(o, "no-new-privileges") })
				hc.SecurityOpt = append(hc.SecurityOpt, "no-new-privileges:false")
			}))...)},
		{rule: rule.ContainerDockerSocket, base: nobody, loose: with(nobody, append(waive(rule.ContainerDockerSocket), hardening.WithAddedVolume("/run/docker.sock:/run/docker.sock"))...)},
		{rule: rule.ContainerMountPropagation, base: with(nobody, hardening.WithAddedVolume("/srv/data:/data")),
			loose: with(nobody, append(waive(rule.ContainerMountPropagation), hardening.WithAddedVolume("/srv/data:/data:rshared"))...)},
		{rule: rule.ContainerReadOnlyRootfs, base: nobody, loose: with(nobody, append(waive(rule.ContainerReadOnlyRootfs), hostMode(func(hc *container.HostConfig) { hc.ReadonlyRootfs = false }))...)},
		{rule: rule.ContainerMemoryLimit, base: nobody, loose: with(nobody, append(waive(rule.ContainerMemoryLimit), hostMode(func(hc *container.HostConfig) { hc.Memory = 0 }))...)},
		{rule: rule.ContainerCPUShares, base: nobody, loose: with(nobody, append(waive(rule.ContainerCPUShares), hostMode(func(hc *container.HostConfig) { hc.CPUShares = 0 }))...)},
		{rule: rule.ContainerPidsLimit, base: nobody, loose: with(nobody, append(waive(rule.ContainerPidsLimit), hostMode(func(hc *container.HostConfig) { hc.PidsLimit = nil }))...)},
		{rule: rule.ContainerRestartPolicy, base: nobody, loose: with(nobody, append(waive(rule.ContainerRestartPolicy), hardening.WithRestartPolicy("always", 0))...)},
		{rule: rule.ContainerPrivilegedPorts, base: with(nobody, hardening.WithNetwork("web"), hardening.WithAddedPort("127.0.0.1:8080:80")),
			loose: with(nobody, append(waive(rule.ContainerPrivilegedPorts), hardening.WithNetwork("web"), hardening.WithAddedPort("127.0.0.1:80:80"))...)},
		{rule: rule.ContainerPortBindInterface, base: with(nobody, hardening.WithNetwork("web"), hardening.WithAddedPort("127.0.0.1:8080:80")),
			loose: with(nobody, append(waive(rule.ContainerPortBindInterface), hardening.WithNetwork("web"), hardening.WithAddedPort("8080:80"))...)},
		{rule: rule.ContainerImagePinned, base: nobody, loose: with(nobody, append(waive(rule.ContainerImagePinned),
			func(sp *hardening.Spec) error { sp.Config.Image = "registry.example/app:latest"; return nil })...)},
		{rule: rule.ContainerHostUTS, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostUTS), hostMode(func(hc *container.HostConfig) { hc.UTSMode = "host" }))...)},
		{rule: rule.ContainerHostUserns, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostUserns), hostMode(func(hc *container.HostConfig) { hc.UsernsMode = "host" }))...)},
		{rule: rule.ContainerCgroupParent, base: nobody, loose: with(nobody, append(waive(rule.ContainerCgroupParent), hostMode(func(hc *container.HostConfig) { hc.CgroupParent = "/custom" }))...)},
		{rule: rule.ContainerLogRotation, base: nobody, loose: with(nobody, append(waive(rule.ContainerLogRotation), hardening.WithLogConfig("json-file", nil))...)},
		{rule: rule.ContainerNetworkIsolation, base: nobody, loose: with(nobody, append(waive(rule.ContainerNetworkIsolation), hardening.WithNetwork("bridge"))...)},
		{rule: rule.ContainerTmpfsFlags, base: nobody, loose: with(nobody, append(waive(rule.ContainerTmpfsFlags), hardening.WithTmpfs("/run/app", "rw,exec,size=8m"))...)},
		{rule: rule.ContainerHostDevices, base: nobody, loose: with(nobody, append(waive(rule.ContainerHostDevices), hostMode(func(hc *container.HostConfig) {
			hc.Devices = []container.DeviceMapping{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm"}}
		}))...)},
	}
}

// TestEachWaiverFailsExactlyItsPodSecurityCheck is the proof that Kubernetes
// judges the export as safedock does: loosening one rule under a waiver
// makes exactly the Pod Security checks its Mapping names fail, no more,
// and the rule's waiver shows on the pod.
func TestEachWaiverFailsExactlyItsPodSecurityCheck(t *testing.T) {
	covered := map[rule.ID]bool{}
	for _, tc := range waiverCases() {
		t.Run(string(tc.rule), func(t *testing.T) {
			covered[tc.rule] = true
			mp, ok := kube.MappingOf(tc.rule)
			require.True(t, ok)

			baseIDs, _ := podSecurity(t, export(t, tc.base, tc.kopts...).Pod)
			m := export(t, tc.loose, tc.kopts...)
			looseIDs, detail := podSecurity(t, m.Pod)
			added := slices.DeleteFunc(slices.Clone(looseIDs), func(id string) bool { return slices.Contains(baseIDs, id) })

			want := nonNil(slices.Clone(mp.PodSecurity))
			slices.Sort(want)
			assert.Equal(t, want, nonNil(added), "failing Pod Security checks (%s)", detail)
			t.Logf("restricted verdict: %v %s", looseIDs, detail)

			assert.Contains(t, m.Pod.Annotations, kube.AnnotationWaivePrefix+string(tc.rule))
			assert.True(t, slices.ContainsFunc(m.Notes, func(n kube.Note) bool {
				return n.Rule == tc.rule && n.Kind == kube.NoteWaived
			}), "no waived note for %s: %v", tc.rule, m.Notes)
		})
	}
	// Every rule whose loosening Pod Security judges has a case.
	for _, mp := range kube.Mappings() {
		if len(mp.PodSecurity) > 0 {
			assert.True(t, covered[mp.Rule], "no waiver case for %s", mp.Rule)
		}
	}
}

func TestHostPortsFailPodSecurity(t *testing.T) {
	opts := []hardening.Option{hardening.WithNonRootUser(), hardening.WithNetwork("web"), hardening.WithAddedPort("127.0.0.1:8080:80")}
	m := export(t, opts, kube.WithHostPorts())
	ids, _ := podSecurity(t, m.Pod)
	assert.Equal(t, []string{kube.CheckHostPorts}, ids)
	require.Len(t, m.Pod.Spec.Containers[0].Ports, 1)
	p := m.Pod.Spec.Containers[0].Ports[0]
	assert.Equal(t, corev1.ContainerPort{ContainerPort: 80, HostPort: 8080, HostIP: "127.0.0.1", Protocol: corev1.ProtocolTCP}, p)
}

func TestCapabilityBeyondRestrictedIsNoted(t *testing.T) {
	m := export(t, []hardening.Option{hardening.WithNonRootUser(), hardening.WithAddedCapabilities("CHOWN")})
	ids, _ := podSecurity(t, m.Pod)
	assert.Equal(t, []string{kube.CheckCapabilitiesRestricted}, ids, "restricted is stricter than safedock on added capabilities")
	assert.True(t, slices.ContainsFunc(m.Notes, func(n kube.Note) bool {
		return n.Rule == rule.ContainerCapabilities && n.Kind == kube.NoteDiffers && strings.Contains(n.Text, "baseline")
	}), "%v", m.Notes)
}

func TestUserNamespaceRelaxesUserChecks(t *testing.T) {
	loose := with(waive(rule.ContainerNonRootUser), hardening.WithUser("0:0"))
	ids, _ := podSecurity(t, export(t, loose, kube.WithUserNamespace()).Pod)
	assert.Empty(t, ids, "hostUsers=false: root in the pod is not root on the node")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
