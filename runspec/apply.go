package runspec

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// Apply hardens spec in place: every rule in [Rules] is enforced unless
// waived with [Waive]; options tighten or name what is needed (a user, added
// capabilities, limits, tmpfs mounts). It works on a zero spec and on runc
// spec output. Anything that would loosen a rule without a waiver is refused
// with an error wrapping a *[rule.Violation]. On error spec is unchanged.
//
// Apply does not invent process.args or root.path contents: a zero spec gets
// root.path "rootfs" and cwd "/", and the rest is the caller's.
func Apply(spec *specs.Spec, opts ...Option) error {
	if spec == nil {
		return errors.New("runspec apply: nil spec")
	}
	s := newSettings()
	var errs []error
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("runspec apply: %w", errors.Join(errs...))
	}

	work, err := clone(spec)
	if err != nil {
		return fmt.Errorf("runspec apply: %w", err)
	}
	prepare(work)
	for _, c := range checks {
		_, waived := s.waivers[c.Rule.ID]
		if err := applies[c.Rule.ID](s, work, waived); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("runspec apply: %w", errors.Join(errs...))
	}
	// Waivers are given on each Apply; old ones in the spec are dropped.
	maps.DeleteFunc(work.Annotations, func(k, _ string) bool { return strings.HasPrefix(k, AnnotationWaiverPrefix) })
	for id, reason := range s.waivers {
		work.Annotations[AnnotationWaiverPrefix+string(id)] = reason
	}
	if len(work.Annotations) == 0 {
		work.Annotations = nil
	}

	// The builder checks itself: a rule it enforced must pass.
	for _, f := range check(work, "spec", detectHost()) {
		if f.Status == rule.StatusFail {
			return fmt.Errorf("runspec apply: internal error: %s still fails after apply: %s (%s)", f.Rule, f.Reason, f.Detail)
		}
	}
	*spec = *work
	return nil
}

// prepare fills in the sections every rule works on.
func prepare(spec *specs.Spec) {
	if spec.Version == "" {
		spec.Version = specs.Version
	}
	if spec.Process == nil {
		spec.Process = &specs.Process{Cwd: "/"}
	}
	if spec.Process.Capabilities == nil {
		spec.Process.Capabilities = &specs.LinuxCapabilities{}
	}
	if spec.Root == nil {
		spec.Root = &specs.Root{Path: "rootfs"}
	}
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	if spec.Linux.Resources == nil {
		spec.Linux.Resources = &specs.LinuxResources{}
	}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
}

func clone(spec *specs.Spec) (*specs.Spec, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("copying spec: %w", err)
	}
	var out specs.Spec
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("copying spec: %w", err)
	}
	return &out, nil
}

// Check judges spec against every rule in [Rules] and returns one finding
// per rule, in [Rules] order, with target "spec". Rules waived in the spec's
// annotations (as Apply records them) are reported as waived. A nil spec
// fails every rule that needs a section it lacks. Check never modifies spec.
func Check(spec *specs.Spec) []rule.Finding {
	return check(spec, "spec", detectHost())
}

func check(spec *specs.Spec, target string, h hostFacts) []rule.Finding {
	if spec == nil {
		spec = &specs.Spec{}
	}
	w := rule.Waivers{}
	for k, v := range spec.Annotations {
		if id, ok := strings.CutPrefix(k, AnnotationWaiverPrefix); ok && id != string(rule.ContainerDockerSocket) {
			if _, known := lookup(rule.ID(id)); known {
				_ = w.Waive(rule.ID(id), v) // an empty reason is no waiver
			}
		}
	}
	in := subject{spec: spec, host: h}
	out := make([]rule.Finding, 0, len(checks))
	for _, c := range checks {
		res := c.Judge(in)
		if res.Method == "" {
			res.Method = "spec"
		}
		out = append(out, c.Rule.Finding(target, w.Apply(c.Rule.ID, res)))
	}
	return out
}
