package runspec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkNoNewPrivileges binds container.no-new-privileges to its judge.
var checkNoNewPrivileges = rule.Bind(containerRules, rule.ContainerNoNewPrivileges, judgeNoNewPrivileges)

// applyNoNewPrivileges sets process.noNewPrivileges.
func applyNoNewPrivileges(_ *settings, spec *specs.Spec, waived bool) error {
	if !waived {
		spec.Process.NoNewPrivileges = true
	}
	return nil
}

func judgeNoNewPrivileges(in subject) rule.Result {
	spec := in.spec
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	if !spec.Process.NoNewPrivileges {
		return rule.Fail("processes can gain privileges through setuid binaries", "process.noNewPrivileges is false")
	}
	return rule.Pass("no_new_privs is set", "process.noNewPrivileges true")
}
