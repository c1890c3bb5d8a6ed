package kube

import (
	"bytes"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// podManifest is a Pod without its status, which a manifest never carries.
type podManifest struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            corev1.PodSpec    `json:"spec"`
}

// YAML renders the pod as a manifest kubectl applies, preceded by one
// comment line per note, so that what the pod does not carry travels with
// it. The output is deterministic.
func (m *Manifest) YAML() ([]byte, error) {
	if m == nil || m.Pod == nil {
		return nil, fmt.Errorf("render pod yaml: no pod")
	}
	body, err := yaml.Marshal(podManifest{TypeMeta: m.Pod.TypeMeta, Metadata: m.Pod.ObjectMeta, Spec: m.Pod.Spec})
	if err != nil {
		return nil, fmt.Errorf("render pod yaml: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("# Exported by safedock from a hardening profile.\n")
	for _, n := range m.Notes {
		b.WriteString("# " + strings.ReplaceAll(n.String(), "\n", " ") + "\n")
	}
	b.Write(body)
	return b.Bytes(), nil
}
