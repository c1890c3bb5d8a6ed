package kube_test

import (
	"fmt"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/kube"
)

func ExampleExport() {
	sp, err := hardening.Build("registry.example/web@sha256:6b0a6a1e6a1b9d3a2f6d1a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f",
		hardening.WithNonRootUser(),
		hardening.WithMemory(128<<20),
		hardening.WithNetwork("web"),
		hardening.WithAddedPort("127.0.0.1:8080:8080"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := kube.Export(sp, kube.WithName("web"))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := m.YAML()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// # Exported by safedock from a hardening profile.
	// # differs container.port-bind-interface (spec.containers[].ports[]): published as containerPort only; host bindings 127.0.0.1:8080->8080/tcp are not carried (expose the pod with a Service, or export WithHostPorts)
	// # differs container.restart-policy (spec.restartPolicy): OnFailure cannot bound retries (Docker stops after 5); the kubelet retries with back-off up to 5 minutes, forever: run it as a Job with backoffLimit: 5 for a bound
	// # differs container.apparmor (spec.securityContext.appArmorProfile): left unset because the spec names no profile (host facts unknown or no AppArmor); on AppArmor nodes the runtime's default profile applies anyway
	// # elsewhere container.pids-limit: PidsLimit=256 has no pod field: set podPidsLimit in the kubelet's configuration (it bounds every pod on the node)
	// # elsewhere container.log-rotation: log driver json-file is not carried: the kubelet rotates container logs (containerLogMaxSize, containerLogMaxFiles)
	// # elsewhere container.network-isolation: network "web" is not carried: every pod gets a network; apply a default-deny NetworkPolicy to the namespace
	// # differs container.tmpfs-flags (spec.volumes[].emptyDir): weaker: emptyDir (medium Memory) is mounted without noexec, nosuid or nodev; dropped capabilities and allowPrivilegeEscalation=false limit what that allows
	// apiVersion: v1
	// kind: Pod
	// metadata:
	//   name: web
	// spec:
	//   automountServiceAccountToken: false
	//   containers:
	//   - image: registry.example/web@sha256:6b0a6a1e6a1b9d3a2f6d1a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f
	//     name: web
	//     ports:
	//     - containerPort: 8080
	//       protocol: TCP
	//     resources:
	//       limits:
	//         memory: 128Mi
	//       requests:
	//         cpu: 500m
	//     securityContext:
	//       allowPrivilegeEscalation: false
	//       capabilities:
	//         drop:
	//         - ALL
	//       readOnlyRootFilesystem: true
	//     volumeMounts:
	//     - mountPath: /tmp
	//       name: tmpfs-tmp
	//   restartPolicy: OnFailure
	//   securityContext:
	//     runAsGroup: 65534
	//     runAsNonRoot: true
	//     runAsUser: 65534
	//     seccompProfile:
	//       type: RuntimeDefault
	//   volumes:
	//   - emptyDir:
	//       medium: Memory
	//       sizeLimit: 64Mi
	//     name: tmpfs-tmp
}

func ExampleMappingOf() {
	m, _ := kube.MappingOf("container.no-new-privileges")
	fmt.Println(m.Fields, m.PodSecurity)
	// Output:
	// [spec.containers[].securityContext.allowPrivilegeEscalation] [allowPrivilegeEscalation]
}
