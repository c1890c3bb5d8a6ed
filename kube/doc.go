// Package kube exports a safedock hardening profile as a Kubernetes Pod, so
// that the profile a team uses with Docker carries over, rule for rule, to
// a cluster.
//
// It is its own Go module (github.com/safedock/safedock/kube): the core
// safedock module never depends on Kubernetes.
//
//	sp, err := hardening.Build(image, hardening.WithNonRootUser())
//	m, err := kube.Export(sp)
//	out, err := m.YAML()
//
// The mapping: the numeric user becomes runAsUser/runAsGroup/runAsNonRoot;
// dropped and added capabilities become securityContext.capabilities; a
// read-only root becomes readOnlyRootFilesystem; no-new-privileges becomes
// allowPrivilegeEscalation=false; Docker's default seccomp profile becomes
// RuntimeDefault and a named AppArmor profile RuntimeDefault (docker-default)
// or Localhost; SELinux labels become seLinuxOptions; memory becomes a
// memory limit and CPU shares a CPU request of shares/1024 cores; tmpfs
// mounts become emptyDir volumes with medium Memory and their size limit;
// bind mounts become hostPath volumes and named volumes
// PersistentVolumeClaims; published ports become containerPorts; host
// namespaces become hostNetwork/hostPID/hostIPC; the restart policy becomes
// restartPolicy; a container HEALTHCHECK becomes an exec livenessProbe. The
// service account token is not mounted. Mappings lists every rule with the
// pod fields that carry it.
//
// Guarantees:
//   - The floor only rises. Export enforces the spec's rules first and
//     refuses a spec that breaks one without a waiver, exactly as
//     hardening.Build does. With no waiver, the pod is allowed by Pod
//     Security admission at level restricted (latest), as the module's
//     tests prove with k8s.io/pod-security-admission itself — except that
//     restricted allows adding back only NET_BIND_SERVICE, and an export
//     that adds another capability says so in a note.
//   - Each waiver loosens only the pod fields Mappings names for its rule,
//     makes exactly the Pod Security checks listed there fail, and is
//     recorded as a pod annotation (AnnotationWaivePrefix + rule ID) and a
//     NoteWaived.
//   - Nothing is dropped silently. What a pod cannot carry is either refused
//     with an error wrapping ErrNotExpressible (a user name — the kubelet
//     verifies runAsNonRoot only for a numeric UID —, a custom seccomp
//     profile without WithLocalhostSeccomp, another container's namespaces)
//     or kept out with a Note saying where it lives instead: PIDs have no
//     pod field (the kubelet's podPidsLimit bounds every pod on a node),
//     a pod cannot bound its restarts (a Job's backoffLimit can), log
//     rotation is the kubelet's, network isolation is a NetworkPolicy, and
//     emptyDir is mounted without noexec, nosuid and nodev.
//   - Host ports are not emitted unless WithHostPorts asks for them (Pod
//     Security refuses any host port): a Service exposes the pod.
//   - Output is deterministic; nothing in this package prints or logs.
package kube
