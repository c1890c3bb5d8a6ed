package hardening

import (
	"github.com/safedock/safedock/rule"
)

// containerRules is the shared catalog the checks take their metadata
// from (rule.Bind); it is read once and never changed.
var containerRules = rule.ContainerRules()

// checks is the catalog of the container rules, in report order (the
// shared catalog's); each lives in its own check_*.go file with its
// secure default and its test.
var checks = rule.Checks[*Subject]{
	checkNonRootUser,
	checkCapabilities,
	checkPrivileged,
	checkSensitiveMounts,
	checkNoSSHD,
	checkPrivilegedPorts,
	checkHostNetwork,
	checkMemoryLimit,
	checkCPUShares,
	checkReadOnlyRootfs,
	checkPortBindInterface,
	checkRestartPolicy,
	checkHostPID,
	checkHostIPC,
	checkHostDevices,
	checkMountPropagation,
	checkHostUTS,
	checkSeccomp,
	checkAppArmor,
	checkSELinux,
	checkCgroupParent,
	checkNoNewPrivileges,
	checkHealthcheck,
	checkPidsLimit,
	checkHostUserns,
	checkDockerSocket,
	checkImagePinned,
	checkLogRotation,
	checkNetworkIsolation,
	checkTmpfsFlags,
}.MustValidate()

// defaults are the secure defaults the builder sets, by rule; NewSpec
// applies them in the order of checks. A rule without one depends on the
// image or on the running container, or is met by setting nothing.
var defaults = map[rule.ID]func(sp *Spec){
	rule.ContainerCapabilities:    applyCapabilities,
	rule.ContainerHostNetwork:     applyHostNetwork,
	rule.ContainerMemoryLimit:     applyMemoryLimit,
	rule.ContainerCPUShares:       applyCPUShares,
	rule.ContainerReadOnlyRootfs:  applyReadOnlyRootfs,
	rule.ContainerRestartPolicy:   applyRestartPolicy,
	rule.ContainerHostIPC:         applyHostIPC,
	rule.ContainerAppArmor:        applyAppArmor,
	rule.ContainerSELinux:         applySELinux,
	rule.ContainerNoNewPrivileges: applyNoNewPrivileges,
	rule.ContainerPidsLimit:       applyPidsLimit,
	rule.ContainerLogRotation:     applyLogRotation,
	rule.ContainerTmpfsFlags:      applyTmpfsFlags,
}

// Rules returns the container rules that hardening enforces and audits, in
// catalog order. Each call returns a fresh copy.
func Rules() rule.Catalog {
	return checks.Catalog()
}

// Evaluate checks every rule on s and returns one finding per rule, with
// s.Waivers applied. It is what both Build (enforce) and Audit (check) use.
func Evaluate(s *Subject) []rule.Finding {
	fs := checks.Evaluate(s.Target(), s, s.Waivers)
	for i := range fs {
		if fs[i].Method == "" {
			fs[i].Method = "config"
		}
	}
	return fs
}
