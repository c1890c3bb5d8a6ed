package swarm_test

import (
	"fmt"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/swarm"
)

func ExampleServiceSpec() {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithName("api"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The engine is Docker 20.10: Engine API 1.41.
	spec, gaps, err := swarm.ServiceSpec(sp, swarm.WithAPIVersion("1.41"),
		swarm.WithCPULimit(1), swarm.WithAddedSecret("db_password", ""))
	if err != nil {
		fmt.Println(err)
		return
	}
	cs := spec.TaskTemplate.ContainerSpec
	fmt.Println("user:", cs.User, "read-only:", cs.ReadOnly, "cap-drop:", cs.CapabilityDrop)
	fmt.Println("pids:", spec.TaskTemplate.Resources.Limits.Pids, "restart:", spec.TaskTemplate.RestartPolicy.Condition, *spec.TaskTemplate.RestartPolicy.MaxAttempts)
	fmt.Println("secret:", "/run/secrets/"+cs.Secrets[0].File.Name)
	for _, g := range gaps {
		fmt.Println("gap:", g.Rule, "- since", g.Since, "- cover:", g.Cover)
	}
	// Output:
	// user: 65534:65534 read-only: true cap-drop: [ALL]
	// pids: 256 restart: on-failure 5
	// secret: /run/secrets/db_password
	// gap: container.network-isolation - since  - cover: daemon.json "icc": false on every node (it governs the default bridge)
	// gap: container.no-new-privileges - since 1.44 - cover: daemon.json "no-new-privileges": true on every node
}

// imageID stands for a resolved image: ServiceSpec uses the image as given.
const imageID = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
