package kube_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	psa "k8s.io/pod-security-admission/policy"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// TestCapabilitiesAgreeWithPodSecurity walks every Linux capability through
// hardening's builder and the export: the Pod adds it by its canonical
// name, and every capability policy calls dangerous (safedock refuses it
// without a waiver) is refused by Pod Security baseline too.
func TestCapabilitiesAgreeWithPodSecurity(t *testing.T) {
	baseline := api.LevelVersion{Level: api.LevelBaseline, Version: api.LatestVersion()}
	ev, err := psa.NewEvaluator(psa.DefaultChecks(), nil)
	require.NoError(t, err)
	for _, c := range policy.Capabilities() {
		opts := []hardening.Option{hardening.WithNonRootUser(), hardening.WithAddedCapabilities("cap_" + c)}
		if policy.IsDangerousCapability(c) {
			opts = append(opts, hardening.Waive(rule.ContainerCapabilities, "agreement test"))
		}
		m := export(t, opts)
		sc := m.Pod.Spec.Containers[0].SecurityContext
		require.NotNil(t, sc, c)
		require.NotNil(t, sc.Capabilities, c)
		if !slices.Contains(sc.Capabilities.Add, corev1.Capability(c)) {
			t.Errorf("%s: capabilities.add = %v", c, sc.Capabilities.Add)
		}
		allowed := psa.AggregateCheckResults(ev.EvaluatePod(baseline, &m.Pod.ObjectMeta, &m.Pod.Spec)).Allowed
		if policy.IsDangerousCapability(c) && allowed {
			t.Errorf("%s: safedock calls it dangerous, Pod Security baseline allows it", c)
		}
	}
}
