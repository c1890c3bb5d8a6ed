package runspec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkReadOnlyRootfs binds container.read-only-rootfs to its judge.
var checkReadOnlyRootfs = rule.Bind(containerRules, rule.ContainerReadOnlyRootfs, judgeReadOnlyRootfs)

// applyReadOnlyRootfs sets root.readonly.
func applyReadOnlyRootfs(_ *settings, spec *specs.Spec, waived bool) error {
	if !waived {
		spec.Root.Readonly = true
	}
	return nil
}

func judgeReadOnlyRootfs(in subject) rule.Result {
	spec := in.spec
	if spec == nil || spec.Root == nil {
		return rule.Fail("no root section", "root is missing")
	}
	if !spec.Root.Readonly {
		return rule.Fail("the root filesystem is writable", "root.readonly is false")
	}
	return rule.Pass("the root filesystem is read-only", "root.readonly true")
}
