package runspec

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// OCI-only rule IDs: properties a Docker HostConfig does not expose (dockerd
// always sets them) but a hand-written or generated config.json can get
// wrong.
const (
	// SpecMaskedPaths: Docker's masked and read-only /proc and /sys paths
	// are kept, and sysfs and cgroupfs are mounted read-only.
	SpecMaskedPaths rule.ID = "spec.masked-paths"
	// SpecMountNamespace: the container has its own mount namespace.
	SpecMountNamespace rule.ID = "spec.mount-namespace"
	// SpecRlimits: the open-files limit is bounded and core dumps are off.
	SpecRlimits rule.ID = "spec.rlimits"
)

// Annotations Apply writes and Check reads.
const (
	// AnnotationCapabilities lists, comma-separated, the capabilities named
	// with WithAddedCapabilities. Check fails any other capability.
	AnnotationCapabilities = "io.github.safedock.runspec.capabilities"
	// AnnotationWaiverPrefix + rule ID holds the reason a rule was waived.
	AnnotationWaiverPrefix = "io.github.safedock.runspec.waive."
)

// applyFunc enforces one rule on a spec whose Process (with Capabilities),
// Root, Linux (with Resources) and Annotations are set. waived says the rule
// is waived: the function then keeps the spec's looser value but still
// applies what the options name. Each rule's apply is declared next to its
// check, in the rule's check_*.go file.
type applyFunc func(s *settings, spec *specs.Spec, waived bool) error

// containerRules is the shared catalog the container.* checks take their
// metadata from.
var containerRules = rule.ContainerRules()

// checks is runspec's catalog, in the order Apply runs it (capabilities
// before seccomp, whose default profile depends on the bounding set; the
// user namespace before the user). Each rule lives in its own check_*.go
// file with its test.
var checks = rule.Checks[subject]{
	checkMountNamespace,
	checkHostNetwork,
	checkHostPID,
	checkHostIPC,
	checkHostUTS,
	checkHostUserns,
	checkNonRootUser,
	checkCapabilities,
	checkNoNewPrivileges,
	checkSeccomp,
	checkAppArmor,
	checkSELinux,
	checkReadOnlyRootfs,
	checkDockerSocket,
	checkSensitiveMounts,
	checkMountPropagation,
	checkTmpfsFlags,
	checkMaskedPaths,
	checkHostDevices,
	checkMemoryLimit,
	checkCPUShares,
	checkPidsLimit,
	checkRlimits,
	checkNoSSHD,
}.MustValidate()

// applies is how Apply enforces each rule of checks; Apply runs them in the
// order of checks. TestCatalog checks that every rule has one
// (validApplies).
var applies = map[rule.ID]applyFunc{
	SpecMountNamespace:             applyMountNamespace,
	rule.ContainerHostNetwork:      applyHostNetwork,
	rule.ContainerHostPID:          applyHostPID,
	rule.ContainerHostIPC:          applyHostIPC,
	rule.ContainerHostUTS:          applyHostUTS,
	rule.ContainerHostUserns:       applyHostUserns,
	rule.ContainerNonRootUser:      applyNonRootUser,
	rule.ContainerCapabilities:     applyCapabilities,
	rule.ContainerNoNewPrivileges:  applyNoNewPrivileges,
	rule.ContainerSeccomp:          applySeccomp,
	rule.ContainerAppArmor:         applyAppArmor,
	rule.ContainerSELinux:          applySELinux,
	rule.ContainerReadOnlyRootfs:   applyReadOnlyRootfs,
	rule.ContainerDockerSocket:     applyDockerSocket,
	rule.ContainerSensitiveMounts:  applySensitiveMounts,
	rule.ContainerMountPropagation: applyMountPropagation,
	rule.ContainerTmpfsFlags:       applyTmpfsFlags,
	SpecMaskedPaths:                applyMaskedPaths,
	rule.ContainerHostDevices:      applyHostDevices,
	rule.ContainerMemoryLimit:      applyMemoryLimit,
	rule.ContainerCPUShares:        applyCPUShares,
	rule.ContainerPidsLimit:        applyPidsLimit,
	SpecRlimits:                    applyRlimits,
	rule.ContainerNoSSHD:           applyNoSSHD,
}

// validApplies reports every rule of checks without an apply and every
// apply without a rule: runspec enforces every rule it checks. (It cannot
// run where checks is built: the applies refer to checks through
// violation.)
func validApplies() error {
	var errs []error
	for _, c := range checks {
		if applies[c.Rule.ID] == nil {
			errs = append(errs, fmt.Errorf("rule %s: no apply", c.Rule.ID))
		}
	}
	for id := range applies {
		if _, ok := checks.Lookup(id); !ok {
			errs = append(errs, fmt.Errorf("apply for %s, which has no check", id))
		}
	}
	return errors.Join(errs...)
}

// Rules returns the catalog of the rules runspec applies and checks, in the
// order Apply runs them. Container rules carry the same IDs and metadata as
// rule.ContainerRules; the spec.* rules are OCI-only. Each call returns a
// fresh copy.
func Rules() rule.Catalog { return checks.Catalog() }

// lookup returns the check of the rule with the given ID.
func lookup(id rule.ID) (rule.Check[subject], bool) { return checks.Lookup(id) }
