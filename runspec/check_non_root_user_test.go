package runspec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

func TestNonRootUser(t *testing.T) {
	judgeCases(t, rule.ContainerNonRootUser, []judgeCase{
		{name: "uid 1000", want: rule.StatusPass},
		{name: "root inside a user namespace", edit: func(s *specs.Spec) {
			setNS(s, "user", "", false)
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			s.Process.User = specs.User{}
		}, want: rule.StatusPass},
		{name: "root mapped to host root", edit: func(s *specs.Spec) {
			setNS(s, "user", "", false)
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 1}}
			s.Process.User = specs.User{}
		}, want: rule.StatusFail},
		{name: "no process", edit: func(s *specs.Spec) { s.Process = nil }, want: rule.StatusFail},
	})
	// A spec running as root gets policy's default user, without the root
	// group among its additional groups.
	spec := &specs.Spec{Process: &specs.Process{Cwd: "/", User: specs.User{AdditionalGids: []uint32{0}}}}
	if err := Apply(spec); err != nil {
		t.Fatal(err)
	}
	if u := spec.Process.User; u.UID != policy.DefaultUID || u.GID != policy.DefaultGID || u.AdditionalGids != nil {
		t.Errorf("Apply on root: user %+v", u)
	}
}
