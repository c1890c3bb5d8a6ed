package runspec

import (
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkCapabilities binds container.capabilities to its judge.
var checkCapabilities = rule.Bind(containerRules, rule.ContainerCapabilities, judgeCapabilities)

// allCapsName is ALL in an OCI spec's spelling, as WithAddedCapabilities
// records it until Apply expands it.
const allCapsName = "CAP_" + policy.AllCapabilities

// capName normalizes "net_bind_service" or "CAP_NET_BIND_SERVICE" to the
// OCI spelling ("CAP_NET_BIND_SERVICE") and checks that the kernel knows
// it; ALL is returned as policy.AllCapabilities.
func capName(c string) (string, error) {
	n, err := policy.ParseCapability(c)
	if err != nil {
		return "", err
	}
	if n == policy.AllCapabilities {
		return n, nil
	}
	return "CAP_" + n, nil
}

// ociCaps returns every Linux capability in the OCI spelling.
func ociCaps() []string {
	var out []string
	for _, c := range policy.Capabilities() {
		out = append(out, "CAP_"+c)
	}
	return out
}

func allCaps(spec *specs.Spec) []string {
	if spec == nil || spec.Process == nil || spec.Process.Capabilities == nil {
		return nil
	}
	c := spec.Process.Capabilities
	var out []string
	for _, set := range [][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient} {
		for _, name := range set {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func namedCaps(spec *specs.Spec) []string {
	v := strings.TrimSpace(spec.Annotations[AnnotationCapabilities])
	if v == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

// applyCapabilities grants only the capabilities WithAddedCapabilities
// names (refusing the dangerous ones) and records them in
// AnnotationCapabilities; waived, it keeps what the spec grants and adds
// the named ones.
func applyCapabilities(s *settings, spec *specs.Spec, waived bool) error {
	named := slices.Clone(s.addCaps)
	if !waived {
		for _, c := range named {
			if policy.IsDangerousCapability(c) {
				if c == allCapsName {
					c = policy.AllCapabilities
				}
				return violation(rule.ContainerCapabilities, "capability "+c+" amounts to root on the host", "WithAddedCapabilities("+c+")")
			}
		}
	}
	if i := slices.Index(named, allCapsName); i >= 0 {
		named = slices.Delete(named, i, i+1)
		for _, c := range ociCaps() {
			if !slices.Contains(named, c) {
				named = append(named, c)
			}
		}
	}
	caps := spec.Process.Capabilities
	if waived {
		// Keep what the spec grants and add the named ones.
		for _, c := range named {
			for _, set := range []*[]string{&caps.Bounding, &caps.Effective, &caps.Permitted} {
				if !slices.Contains(*set, c) {
					*set = append(*set, c)
				}
			}
		}
	} else {
		caps.Bounding, caps.Effective, caps.Permitted = slices.Clone(named), slices.Clone(named), slices.Clone(named)
		caps.Inheritable, caps.Ambient = slices.Clone(s.ambient), slices.Clone(s.ambient)
	}
	if len(named) > 0 {
		spec.Annotations[AnnotationCapabilities] = strings.Join(named, ",")
	} else {
		delete(spec.Annotations, AnnotationCapabilities)
	}
	return nil
}

func judgeCapabilities(in subject) rule.Result {
	spec := in.spec
	if spec == nil || spec.Process == nil {
		return rule.Fail("no process section", "process is missing")
	}
	have := allCaps(spec)
	named := namedCaps(spec)
	var unnamed, danger []string
	for _, c := range have {
		if policy.IsDangerousCapability(c) {
			danger = append(danger, c)
		}
		if !slices.Contains(named, c) {
			unnamed = append(unnamed, c)
		}
	}
	switch {
	case len(danger) > 0:
		return rule.Fail("capabilities that amount to root are granted", "process.capabilities: "+strings.Join(danger, ","))
	case len(unnamed) > 0:
		return rule.Fail("capabilities not dropped", "process.capabilities grant "+strings.Join(unnamed, ",")+" (not named in "+AnnotationCapabilities+")")
	case len(have) == 0:
		return rule.Pass("all capabilities dropped", "")
	}
	return rule.Pass("only named capabilities granted", strings.Join(have, ","))
}
