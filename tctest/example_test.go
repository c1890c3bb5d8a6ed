package tctest

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/safedock/safedock/hardening"
)

// A hardened testcontainers-go container: the modifiers apply the profile,
// and the PreStarts hook judges the container actually created, so one a
// later modifier loosened never starts. Not run: it needs a daemon.
func Example() {
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close()
	mods, err := hardening.Modifiers(hardening.WithNonRootUser(), hardening.WithMemory(256<<20))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{Started: true,
		ContainerRequest: testcontainers.ContainerRequest{
			Image:              "sha256:...", // an image ID or name@sha256 digest
			Networks:           []string{"test-isolated"},
			ConfigModifier:     mods.Config,
			HostConfigModifier: mods.HostConfig,
			LifecycleHooks: []testcontainers.ContainerLifecycleHooks{{
				PreStarts: []testcontainers.ContainerHook{func(ctx context.Context, c testcontainers.Container) error {
					return hardening.Verify(ctx, cli, c.GetContainerID())
				}},
			}},
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer testcontainers.TerminateContainer(c)
}
