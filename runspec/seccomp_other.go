//go:build !linux

package runspec

import (
	"errors"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultSeccomp is only available on Linux, where the profile's kernel
// conditions can be evaluated.
func defaultSeccomp(*specs.Spec) (*specs.LinuxSeccomp, error) {
	return nil, errors.New("docker's default seccomp profile can only be built on linux")
}
