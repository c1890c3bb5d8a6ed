package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestDockerSocket(t *testing.T) {
	mount := func(src string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/sock", Type: "bind", Source: src, Options: []string{"rbind", "ro"}})
		}
	}
	judgeCases(t, rule.ContainerDockerSocket, []judgeCase{
		{name: "none", want: rule.StatusPass},
		{name: "containerd's", edit: mount("/run/containerd/containerd.sock"), want: rule.StatusFail},
		{name: "/var, which holds it", edit: mount("/var"), want: rule.StatusFail},
		{name: "relative to the bundle", edit: mount("docker.sock"), want: rule.StatusPass},
	})
}
