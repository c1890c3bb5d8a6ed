package runspec

import (
	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultSeccomp builds Docker's default profile for spec: the rules that
// depend on capabilities follow spec's bounding set, and those that depend on
// the kernel follow the running kernel, as dockerd does.
func defaultSeccomp(spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	return seccomp.GetDefaultProfile(spec)
}
