package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

func TestSensitiveMounts(t *testing.T) {
	bind := func(src string, opts ...string) func(*specs.Spec) {
		return func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/host", Type: "bind", Source: src, Options: append([]string{"rbind"}, opts...)})
		}
	}
	judgeCases(t, rule.ContainerSensitiveMounts, []judgeCase{
		{name: "none", want: rule.StatusPass},
		{name: "/etc read-only", edit: bind("/etc", "ro"), want: rule.StatusPass},
		{name: "/ writable", edit: bind("/"), want: rule.StatusFail},
		{name: "/bin, which is /usr/bin", edit: bind("/bin", "rw"), want: rule.StatusFail},
		{name: "below /etc", edit: bind("/etc/ssl", "rw"), want: rule.StatusFail},
		{name: "/srv", edit: bind("/srv/data", "rw"), want: rule.StatusPass},
		{name: "relative to the bundle", edit: bind("etc", "rw"), want: rule.StatusPass},
	})
}
