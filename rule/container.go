package rule

// Container rule IDs. They mean the same thing for a Docker container
// (package hardening) and for an OCI runtime spec (package runspec), so both
// report under the same ID.
const (
	ContainerNonRootUser       ID = "container.non-root-user"
	ContainerCapabilities      ID = "container.capabilities"
	ContainerPrivileged        ID = "container.privileged"
	ContainerSensitiveMounts   ID = "container.sensitive-mounts"
	ContainerNoSSHD            ID = "container.no-sshd"
	ContainerPrivilegedPorts   ID = "container.privileged-ports"
	ContainerHostNetwork       ID = "container.host-network"
	ContainerMemoryLimit       ID = "container.memory-limit"
	ContainerCPUShares         ID = "container.cpu-shares"
	ContainerReadOnlyRootfs    ID = "container.read-only-rootfs"
	ContainerPortBindInterface ID = "container.port-bind-interface"
	ContainerRestartPolicy     ID = "container.restart-policy"
	ContainerHostPID           ID = "container.host-pid"
	ContainerHostIPC           ID = "container.host-ipc"
	ContainerHostDevices       ID = "container.host-devices"
	ContainerMountPropagation  ID = "container.mount-propagation"
	ContainerHostUTS           ID = "container.host-uts"
	ContainerSeccomp           ID = "container.seccomp"
	ContainerAppArmor          ID = "container.apparmor"
	ContainerSELinux           ID = "container.selinux"
	ContainerCgroupParent      ID = "container.cgroup-parent"
	ContainerNoNewPrivileges   ID = "container.no-new-privileges"
	ContainerHealthcheck       ID = "container.healthcheck"
	ContainerPidsLimit         ID = "container.pids-limit"
	ContainerHostUserns        ID = "container.host-userns"
	ContainerDockerSocket      ID = "container.docker-socket"
	ContainerImagePinned       ID = "container.image-pinned"
	ContainerLogRotation       ID = "container.log-rotation"
	ContainerNetworkIsolation  ID = "container.network-isolation"
	ContainerTmpfsFlags        ID = "container.tmpfs-flags"
)

// ContainerRules returns the catalog of container runtime rules (CIS Docker
// Benchmark v1.6.0 sections 4 and 5). Each call returns a fresh copy.
func ContainerRules() Catalog {
	return Catalog{
		{
			ID: ContainerNonRootUser, Title: "Containers run as a non-root user", Severity: SeverityHigh, CIS: []string{"4.1"},
			Rationale:   "A process running as uid 0 in a container is root on the host whenever any other boundary fails (no user namespace remap, a kernel bug, a writable host mount).",
			Remediation: "Set a non-root user (docker run --user 65534:65534, USER in the Dockerfile, or hardening.WithUser).",
		},
		{
			ID: ContainerCapabilities, Title: "All capabilities dropped, only named ones added back", Severity: SeverityHigh, CIS: []string{"5.4"},
			Rationale:   "Docker's default capability set includes CAP_NET_RAW, CAP_CHOWN, CAP_SETUID and others most programs never need; powerful ones such as CAP_SYS_ADMIN amount to root on the host.",
			Remediation: "Drop ALL capabilities (--cap-drop ALL) and add back only the few the program needs (--cap-add NET_BIND_SERVICE); never add SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE or similar.",
		},
		{
			ID: ContainerPrivileged, Title: "Containers are not privileged", Severity: SeverityCritical, CIS: []string{"5.5"},
			Rationale:   "--privileged gives every capability, every host device and lifts seccomp, AppArmor and the device cgroup: the container is the host.",
			Remediation: "Remove --privileged; add the single capability or device the program needs instead.",
		},
		{
			ID: ContainerSensitiveMounts, Title: "Sensitive host directories are not mounted writable", Severity: SeverityCritical, CIS: []string{"5.6"},
			Rationale:   "A writable bind mount of /, /boot, /dev, /etc, /lib, /proc, /sys or /usr lets the container change the host's software and configuration.",
			Remediation: "Do not bind-mount host system directories; if one is unavoidable, mount it read-only (:ro).",
		},
		{
			ID: ContainerNoSSHD, Title: "No SSH server runs inside containers", Severity: SeverityMedium, CIS: []string{"5.7"},
			Rationale:   "An sshd in a container is another service to patch, another set of keys to manage and another way in; docker exec and docker attach already give access.",
			Remediation: "Remove the SSH server from the image and use docker exec or docker attach to reach the container.",
		},
		{
			ID: ContainerPrivilegedPorts, Title: "No privileged host ports (below 1024) are published", Severity: SeverityMedium, CIS: []string{"5.8"},
			Rationale:   "Ports below 1024 are reserved for privileged services; publishing one from a container can shadow or impersonate a host service.",
			Remediation: "Publish on a host port of 1024 or above (-p 127.0.0.1:8080:80) and put a host load balancer in front if port 80/443 is needed.",
		},
		{
			ID: ContainerHostNetwork, Title: "The host's network namespace is not shared", Severity: SeverityHigh, CIS: []string{"5.10"},
			Rationale:   "--network host gives the container the host's interfaces, including services bound to localhost and the ability to sniff traffic.",
			Remediation: "Use a user-defined bridge network (or none) instead of --network host.",
		},
		{
			ID: ContainerMemoryLimit, Title: "Memory usage is limited", Severity: SeverityMedium, CIS: []string{"5.11"},
			Rationale:   "Without a memory limit one container can exhaust the host's memory and get other workloads killed.",
			Remediation: "Set a memory limit (--memory 512m, hardening.WithMemory).",
		},
		{
			ID: ContainerCPUShares, Title: "CPU priority is set", Severity: SeverityLow, CIS: []string{"5.12"},
			Rationale:   "Without CPU shares every container gets the same weight, so a busy one can starve the others.",
			Remediation: "Set --cpu-shares to a value other than 0 or 1024 (hardening.WithCPUShares).",
		},
		{
			ID: ContainerReadOnlyRootfs, Title: "The root filesystem is read-only", Severity: SeverityMedium, CIS: []string{"5.13"},
			Rationale:   "A writable root lets an intruder change the container's programs and hides drift from the image; writes belong in explicit volumes or tmpfs.",
			Remediation: "Run with --read-only and mount explicit writable paths (--tmpfs /tmp, named volumes).",
		},
		{
			ID: ContainerPortBindInterface, Title: "Published ports are bound to a specific interface", Severity: SeverityMedium, CIS: []string{"5.14"},
			Rationale:   "-p 8080:80 listens on every host address (0.0.0.0), exposing the port on interfaces it was never meant for.",
			Remediation: "Bind each published port to one host address: -p 127.0.0.1:8080:80 or -p 10.0.0.5:8080:80.",
		},
		{
			ID: ContainerRestartPolicy, Title: "Restart policy is on-failure with at most 5 retries", Severity: SeverityLow, CIS: []string{"5.15"},
			Rationale:   "always or unless-stopped restarts a crashing container forever, which can hide an attack or a crash loop and load the host.",
			Remediation: "Use --restart on-failure:5.",
		},
		{
			ID: ContainerHostPID, Title: "The host's PID namespace is not shared", Severity: SeverityHigh, CIS: []string{"5.16"},
			Rationale:   "--pid host lets the container see and signal every host process and read their environments.",
			Remediation: "Remove --pid host.",
		},
		{
			ID: ContainerHostIPC, Title: "The host's IPC namespace is not shared", Severity: SeverityHigh, CIS: []string{"5.17"},
			Rationale:   "--ipc host exposes the host's shared memory segments and semaphores to the container.",
			Remediation: "Remove --ipc host (use shareable/container IPC between containers if needed).",
		},
		{
			ID: ContainerHostDevices, Title: "Host devices are not exposed", Severity: SeverityHigh, CIS: []string{"5.18"},
			Rationale:   "A host device in a container (--device) bypasses the filesystem's protections; with rw or mknod permissions it can reach disks directly.",
			Remediation: "Remove --device; if a device is truly needed, expose only that one, read-only (:r).",
		},
		{
			ID: ContainerMountPropagation, Title: "Mount propagation is not shared", Severity: SeverityMedium, CIS: []string{"5.20"},
			Rationale:   "A shared or rshared mount lets mounts made inside the container appear on the host (and the reverse).",
			Remediation: "Use the default private propagation; remove shared/rshared from -v and --mount.",
		},
		{
			ID: ContainerHostUTS, Title: "The host's UTS namespace is not shared", Severity: SeverityMedium, CIS: []string{"5.21"},
			Rationale:   "--uts host lets the container change the host's hostname.",
			Remediation: "Remove --uts host.",
		},
		{
			ID: ContainerSeccomp, Title: "The default seccomp profile is not disabled", Severity: SeverityHigh, CIS: []string{"5.22"},
			Rationale:   "Docker's default seccomp profile blocks about 44 dangerous system calls; seccomp=unconfined removes that layer.",
			Remediation: "Remove --security-opt seccomp=unconfined; use a custom profile that extends the default if a syscall is missing.",
		},
		{
			ID: ContainerAppArmor, Title: "An AppArmor profile is applied where the host has AppArmor", Severity: SeverityMedium, CIS: []string{"5.2"},
			Rationale:   "On AppArmor hosts docker-default confines file and mount access; apparmor=unconfined removes it.",
			Remediation: "Remove --security-opt apparmor=unconfined; use docker-default or a custom profile.",
		},
		{
			ID: ContainerSELinux, Title: "SELinux labels are applied where the host has SELinux", Severity: SeverityMedium, CIS: []string{"5.3"},
			Rationale:   "On SELinux hosts the container_t type keeps container processes from host files; label=disable removes it.",
			Remediation: "Remove --security-opt label=disable (or label:disable); set a label such as label=type:container_t if needed.",
		},
		{
			ID: ContainerCgroupParent, Title: "The cgroup parent is the daemon's default or a confirmed one", Severity: SeverityLow, CIS: []string{"5.25"},
			Rationale:   "A custom --cgroup-parent moves the container out of the limits and accounting the operator set up for containers.",
			Remediation: "Remove --cgroup-parent, or confirm the parent is the one this host's policy expects and waive the rule with that reason.",
		},
		{
			ID: ContainerNoNewPrivileges, Title: "Processes cannot gain new privileges", Severity: SeverityHigh, CIS: []string{"5.26"},
			Rationale:   "no_new_privs stops setuid and setgid binaries and file capabilities from raising a process's privileges.",
			Remediation: "Run with --security-opt no-new-privileges:true (or set no-new-privileges in daemon.json).",
		},
		{
			ID: ContainerHealthcheck, Title: "Container health is checked", Severity: SeverityLow, CIS: []string{"4.6", "5.27"},
			Rationale:   "A HEALTHCHECK lets Docker and orchestrators notice a container that runs but no longer works.",
			Remediation: "Add a HEALTHCHECK to the image or pass --health-cmd.",
		},
		{
			ID: ContainerPidsLimit, Title: "The number of processes is limited", Severity: SeverityMedium, CIS: []string{"5.29"},
			Rationale:   "Without a PIDs limit a fork bomb in one container exhausts the host's process table.",
			Remediation: "Set --pids-limit (for example 256; hardening.WithPidsLimit).",
		},
		{
			ID: ContainerHostUserns, Title: "The host's user namespace is not shared", Severity: SeverityHigh, CIS: []string{"5.31"},
			Rationale:   "--userns host turns off the daemon's userns-remap for this container, so root inside is root outside.",
			Remediation: "Remove --userns host; enable userns-remap on the daemon.",
		},
		{
			ID: ContainerDockerSocket, Title: "The Docker socket is not mounted", Severity: SeverityCritical, CIS: []string{"5.32"},
			Rationale:   "Whoever can talk to the Docker socket can start a privileged container: mounting it gives the container root on the host, read-only or not.",
			Remediation: "Do not mount docker.sock (or a directory containing it); use a narrowly scoped API proxy if a tool truly needs Docker.",
		},
		{
			ID: ContainerImagePinned, Title: "The image is pinned by digest or ID", Severity: SeverityMedium, CIS: []string{"4.5"},
			Rationale:   "A tag can be moved to another image at any time; the Engine API does not verify signatures, so launching by the resolved image ID (or name@sha256 digest) is what content trust amounts to for an API client.",
			Remediation: "Launch by digest (image@sha256:...) or image ID; hardening.Run resolves the tag once and records the digest.",
		},
		{
			ID: ContainerLogRotation, Title: "Logs are rotated or shipped off the host", Severity: SeverityLow,
			Rationale:   "json-file without max-size grows until the disk is full; a rotating driver (local, json-file with max-size) or a remote one (syslog with an address, fluentd, gelf, journald...) keeps the host healthy and the logs safe.",
			Remediation: "Use --log-driver local, or json-file with --log-opt max-size=10m --log-opt max-file=3, or syslog with syslog-address.",
		},
		{
			ID: ContainerNetworkIsolation, Title: "Inter-container traffic is disabled on the container's network", Severity: SeverityMedium, CIS: []string{"2.2"},
			Rationale:   "The daemon's icc=false only covers the default bridge; on a user-defined network every container can reach every other unless the network disables ICC.",
			Remediation: "Attach the container to a user-defined bridge created with -o com.docker.network.bridge.enable_icc=false, or to no network.",
		},
		{
			ID: ContainerTmpfsFlags, Title: "Writable tmpfs mounts are nosuid, nodev and noexec", Severity: SeverityLow,
			Rationale:   "A writable tmpfs without noexec/nosuid/nodev is a place to drop and run binaries, setuid files or device nodes despite a read-only root.",
			Remediation: "Mount tmpfs with rw,noexec,nosuid,nodev (--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m).",
		},
	}
}
