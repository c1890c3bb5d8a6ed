package runspec

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestCapabilities(t *testing.T) {
	judgeCases(t, rule.ContainerCapabilities, []judgeCase{
		{name: "all dropped", want: rule.StatusPass},
		{name: "named", edit: func(s *specs.Spec) {
			s.Process.Capabilities.Bounding = []string{"CAP_NET_BIND_SERVICE"}
			s.Annotations = map[string]string{AnnotationCapabilities: "CAP_NET_BIND_SERVICE"}
		}, want: rule.StatusPass},
		{name: "dangerous although named", edit: func(s *specs.Spec) {
			s.Process.Capabilities.Ambient = []string{"CAP_SYS_ADMIN"}
			s.Annotations = map[string]string{AnnotationCapabilities: "CAP_SYS_ADMIN"}
		}, want: rule.StatusFail},
		{name: "no process", edit: func(s *specs.Spec) { s.Process = nil }, want: rule.StatusFail},
	})
	spec := applied(t, WithAddedCapabilities("net_bind_service"))
	if c := spec.Process.Capabilities; !slices.Equal(c.Bounding, []string{"CAP_NET_BIND_SERVICE"}) || c.Inheritable != nil ||
		spec.Annotations[AnnotationCapabilities] != "CAP_NET_BIND_SERVICE" {
		t.Errorf("WithAddedCapabilities: %+v, annotations %v", c, spec.Annotations)
	}
}
