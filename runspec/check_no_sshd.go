package runspec

import (
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkNoSSHD binds container.no-sshd to its judge.
var checkNoSSHD = rule.Bind(containerRules, rule.ContainerNoSSHD, judgeNoSSHD)

func isSSHD(spec *specs.Spec) (string, bool) {
	if spec == nil || spec.Process == nil || len(spec.Process.Args) == 0 {
		return "", false
	}
	b := path.Base(spec.Process.Args[0])
	return spec.Process.Args[0], b == "sshd" || b == "dropbear"
}

// applyNoSSHD refuses a spec whose process is an SSH server.
func applyNoSSHD(_ *settings, spec *specs.Spec, waived bool) error {
	if a, ok := isSSHD(spec); ok && !waived {
		return violation(rule.ContainerNoSSHD, "the process is an SSH server", "process.args[0] "+a)
	}
	return nil
}

func judgeNoSSHD(in subject) rule.Result {
	if a, ok := isSSHD(in.spec); ok {
		return rule.Fail("the process is an SSH server", "process.args[0] "+a)
	}
	return rule.Pass("the process is not an SSH server", "")
}
