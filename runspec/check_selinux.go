package runspec

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkSELinux binds container.selinux to its judge.
var checkSELinux = rule.Bind(containerRules, rule.ContainerSELinux, judgeSELinux)

// unconfinedSELinux reports whether an SELinux label's type is one that
// lifts confinement.
func unconfinedSELinux(label string) bool {
	parts := strings.Split(label, ":")
	return len(parts) >= 3 && (parts[2] == "spc_t" || parts[2] == "unconfined_t")
}

// applySELinux sets the label WithSELinuxLabel names and refuses an
// unconfined type.
func applySELinux(s *settings, spec *specs.Spec, waived bool) error {
	if s.selinux != "" {
		spec.Process.SelinuxLabel = s.selinux
	}
	if unconfinedSELinux(spec.Process.SelinuxLabel) && !waived {
		return violation(rule.ContainerSELinux, "unconfined SELinux type", "process.selinuxLabel "+spec.Process.SelinuxLabel)
	}
	return nil
}

func judgeSELinux(in subject) rule.Result {
	spec := in.spec
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	switch l := spec.Process.SelinuxLabel; {
	case unconfinedSELinux(l):
		return rule.Fail("SELinux confinement is lifted", "process.selinuxLabel "+l)
	case l != "":
		return rule.Pass("SELinux label set", "process.selinuxLabel "+l)
	case in.host.seLinux:
		return rule.Warn("no SELinux label although this host has SELinux", "process.selinuxLabel empty")
	}
	return rule.Skip("this host has no SELinux; no label is needed")
}
