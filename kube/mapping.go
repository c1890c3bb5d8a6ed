package kube

import (
	"slices"

	"github.com/safedock/safedock/rule"
)

// Pod Security Standards check IDs, as k8s.io/pod-security-admission names
// them. Mapping.PodSecurity lists them so that a caller (or a test) can
// hold the export to what Kubernetes itself judges.
const (
	CheckAllowPrivilegeEscalation = "allowPrivilegeEscalation"
	CheckAppArmorProfile          = "appArmorProfile"
	CheckCapabilitiesRestricted   = "capabilities_restricted"
	CheckHostNamespaces           = "hostNamespaces"
	CheckHostPorts                = "hostPorts"
	CheckPrivileged               = "privileged"
	CheckRestrictedVolumes        = "restrictedVolumes"
	CheckRunAsNonRoot             = "runAsNonRoot"
	CheckRunAsUser                = "runAsUser"
	CheckSELinuxOptions           = "seLinuxOptions"
	CheckSeccompProfileRestricted = "seccompProfile_restricted"
)

// Mapping says where one container rule lives in a Kubernetes pod.
type Mapping struct {
	// Rule is the hardening rule (package rule's container IDs).
	Rule rule.ID
	// Fields are the pod fields Export sets for the rule, as paths from the
	// Pod object (spec.containers[].securityContext.privileged). A waiver of
	// the rule loosens exactly these fields. Empty when a pod has no field
	// for the rule; Note then says where it is enforced instead.
	Fields []string
	// PodSecurity are the Pod Security Standards checks that fail at level
	// restricted (latest) when the rule is loosened under a waiver and the
	// spec is exported with default options. Empty when Pod Security does
	// not judge the field.
	PodSecurity []string
	// Note says how the rule maps, or why it has no pod equivalent.
	Note string
}

// Mappings returns the table from every hardening rule to the pod fields
// that carry it, in the rule catalog's order. Each call returns a fresh copy.
func Mappings() []Mapping {
	out := make([]Mapping, len(mappings))
	for i, m := range mappings {
		m.Fields = slices.Clone(m.Fields)
		m.PodSecurity = slices.Clone(m.PodSecurity)
		out[i] = m
	}
	return out
}

// MappingOf returns the mapping of one rule.
func MappingOf(id rule.ID) (Mapping, bool) {
	for _, m := range Mappings() {
		if m.Rule == id {
			return m, true
		}
	}
	return Mapping{}, false
}

const (
	fieldPodSC = "spec.securityContext."
	fieldCtrSC = "spec.containers[].securityContext."
)

var mappings = []Mapping{
	{
		Rule:        rule.ContainerNonRootUser,
		Fields:      []string{fieldPodSC + "runAsNonRoot", fieldPodSC + "runAsUser", fieldPodSC + "runAsGroup"},
		PodSecurity: []string{CheckRunAsNonRoot, CheckRunAsUser},
		Note:        "the user must be numeric (uid[:gid]): the kubelet can verify runAsNonRoot only for a numeric UID, so a user name is refused",
	},
	{
		Rule:        rule.ContainerCapabilities,
		Fields:      []string{fieldCtrSC + "capabilities.drop", fieldCtrSC + "capabilities.add"},
		PodSecurity: []string{CheckCapabilitiesRestricted},
		Note:        "restricted allows adding back only NET_BIND_SERVICE; other capabilities safedock accepts without a waiver (CHOWN, SETUID...) need level baseline",
	},
	{
		Rule:        rule.ContainerPrivileged,
		Fields:      []string{fieldCtrSC + "privileged", fieldCtrSC + "allowPrivilegeEscalation", fieldPodSC + "seccompProfile"},
		PodSecurity: []string{CheckPrivileged, CheckAllowPrivilegeEscalation, CheckSeccompProfileRestricted},
		Note:        "the API refuses allowPrivilegeEscalation=false on a privileged container, so it is left unset; Docker and the CRI run a privileged container without seccomp, so the export says Unconfined (hardening requires container.seccomp and container.capabilities waived with it)",
	},
	{
		Rule:        rule.ContainerSensitiveMounts,
		Fields:      []string{"spec.volumes[].hostPath", "spec.containers[].volumeMounts[].readOnly"},
		PodSecurity: []string{CheckRestrictedVolumes},
		Note:        "a bind mount becomes a hostPath volume; restricted refuses every hostPath volume, sensitive or not",
	},
	{
		Rule: rule.ContainerNoSSHD,
		Note: "judged on running processes, not on a spec: audit the running container",
	},
	{
		Rule:   rule.ContainerPrivilegedPorts,
		Fields: []string{"spec.containers[].ports[].hostPort"},
		Note:   "published ports become containerPorts; the host port is emitted only with WithHostPorts, and then Pod Security fails hostPorts for any host port",
	},
	{
		Rule:        rule.ContainerHostNetwork,
		Fields:      []string{"spec.hostNetwork"},
		PodSecurity: []string{CheckHostNamespaces},
	},
	{
		Rule:   rule.ContainerMemoryLimit,
		Fields: []string{"spec.containers[].resources.limits.memory"},
		Note:   "Pod Security does not judge resources; a LimitRange can require them",
	},
	{
		Rule:   rule.ContainerCPUShares,
		Fields: []string{"spec.containers[].resources.requests.cpu", "spec.containers[].resources.limits.cpu"},
		Note:   "CPU shares become a CPU request of shares/1024 cores (the kubelet turns it back into the same cgroup weight); NanoCPUs become a CPU limit",
	},
	{
		Rule:   rule.ContainerReadOnlyRootfs,
		Fields: []string{fieldCtrSC + "readOnlyRootFilesystem"},
		Note:   "Pod Security does not judge readOnlyRootFilesystem",
	},
	{
		Rule:   rule.ContainerPortBindInterface,
		Fields: []string{"spec.containers[].ports[].hostIP"},
		Note:   "only with WithHostPorts; without it nothing listens on a node address and a Service decides the exposure",
	},
	{
		Rule:   rule.ContainerRestartPolicy,
		Fields: []string{"spec.restartPolicy"},
		Note:   "on-failure becomes OnFailure, but a pod cannot bound its retries (the kubelet backs off up to 5 minutes and retries forever); a Job's backoffLimit is the bound",
	},
	{
		Rule:        rule.ContainerHostPID,
		Fields:      []string{"spec.hostPID"},
		PodSecurity: []string{CheckHostNamespaces},
	},
	{
		Rule:        rule.ContainerHostIPC,
		Fields:      []string{"spec.hostIPC"},
		PodSecurity: []string{CheckHostNamespaces},
	},
	{
		Rule: rule.ContainerHostDevices,
		Note: "a pod has no field for host devices: device plugins hand them out; the export carries none and says so",
	},
	{
		Rule:   rule.ContainerMountPropagation,
		Fields: []string{"spec.containers[].volumeMounts[].mountPropagation"},
		Note:   "shared becomes Bidirectional, which the API allows only for privileged containers; Pod Security judges the hostPath volume, not the propagation",
	},
	{
		Rule: rule.ContainerHostUTS,
		Note: "a pod shares the host's UTS namespace only together with hostNetwork; the export keeps its own UTS namespace and says so",
	},
	{
		Rule:        rule.ContainerSeccomp,
		Fields:      []string{fieldPodSC + "seccompProfile"},
		PodSecurity: []string{CheckSeccompProfileRestricted},
		Note:        "Docker's default profile becomes RuntimeDefault; a custom profile must be installed on the nodes and named with WithLocalhostSeccomp",
	},
	{
		Rule:        rule.ContainerAppArmor,
		Fields:      []string{fieldPodSC + "appArmorProfile"},
		PodSecurity: []string{CheckAppArmorProfile},
		Note:        "docker-default becomes RuntimeDefault, another loaded profile Localhost; set only when the spec names a profile (the kubelet refuses a pod that asks for AppArmor on a node without it)",
	},
	{
		Rule:        rule.ContainerSELinux,
		Fields:      []string{fieldPodSC + "seLinuxOptions"},
		PodSecurity: []string{CheckSELinuxOptions},
		Note:        "label=disable becomes type spc_t (the unconfined container type), which Pod Security refuses",
	},
	{
		Rule: rule.ContainerCgroupParent,
		Note: "the kubelet places pods in its own cgroup hierarchy; a pod cannot choose its parent",
	},
	{
		Rule:        rule.ContainerNoNewPrivileges,
		Fields:      []string{fieldCtrSC + "allowPrivilegeEscalation"},
		PodSecurity: []string{CheckAllowPrivilegeEscalation},
	},
	{
		Rule:   rule.ContainerHealthcheck,
		Fields: []string{"spec.containers[].livenessProbe"},
		Note:   "a container HEALTHCHECK becomes an exec livenessProbe; Kubernetes ignores an image's HEALTHCHECK",
	},
	{
		Rule: rule.ContainerPidsLimit,
		Note: "a pod has no PIDs field: the kubelet's podPidsLimit (KubeletConfiguration) bounds every pod on the node",
	},
	{
		Rule:   rule.ContainerHostUserns,
		Fields: []string{"spec.hostUsers"},
		Note:   "pods share the host's user namespace unless hostUsers is false (WithUserNamespace); then Pod Security relaxes runAsNonRoot and runAsUser",
	},
	{
		Rule:        rule.ContainerDockerSocket,
		Fields:      []string{"spec.volumes[].hostPath"},
		PodSecurity: []string{CheckRestrictedVolumes},
		Note:        "the pod's own door to its control plane is the service account token: the export sets automountServiceAccountToken=false",
	},
	{
		Rule:   rule.ContainerImagePinned,
		Fields: []string{"spec.containers[].image"},
		Note:   "Pod Security does not judge the image reference; an admission policy can require digests",
	},
	{
		Rule: rule.ContainerLogRotation,
		Note: "the kubelet rotates container logs (containerLogMaxSize, containerLogMaxFiles in KubeletConfiguration)",
	},
	{
		Rule: rule.ContainerNetworkIsolation,
		Note: "every pod gets a network; a default-deny NetworkPolicy in the namespace is the equivalent of ICC off",
	},
	{
		Rule: rule.ContainerTmpfsFlags,
		Note: "a tmpfs becomes an emptyDir with medium Memory, which the kubelet mounts without noexec, nosuid or nodev: weaker than the Docker mount",
	},
}
