package hardening_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

const imageID = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func ExampleBuild() {
	sp, err := hardening.Build(imageID,
		hardening.WithNonRootUser(),
		hardening.WithNetwork("web"),
		// No NET_BIND_SERVICE: a non-root process would not get it
		// (Docker sets no ambient capabilities, and Build refuses it),
		// and dockerd 20.10+ lets any user bind port 80 in a container.
		hardening.WithAddedPort("127.0.0.1:8080:80"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	hc := sp.HostConfig
	fmt.Println("user:", sp.Config.User)
	fmt.Println("cap-drop:", hc.CapDrop, "cap-add:", hc.CapAdd)
	fmt.Println("read-only:", hc.ReadonlyRootfs, "tmpfs /tmp:", hc.Tmpfs["/tmp"])
	fmt.Println("security-opt:", hc.SecurityOpt)
	fmt.Println("restart:", hc.RestartPolicy.Name, hc.RestartPolicy.MaximumRetryCount)
	fmt.Println("memory:", hc.Memory, "cpu-shares:", hc.CPUShares, "pids:", *hc.PidsLimit)
	// Output:
	// user: 65534:65534
	// cap-drop: [ALL] cap-add: []
	// read-only: true tmpfs /tmp: rw,noexec,nosuid,nodev,size=64m,mode=1777
	// security-opt: [no-new-privileges:true]
	// restart: on-failure 5
	// memory: 536870912 cpu-shares: 512 pids: 256
}

func ExampleWaive() {
	// Mounting /etc writable breaks CIS 5.6; the builder refuses it...
	_, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithAddedVolume("/etc:/host-etc"))
	var v *rule.Violation
	if errors.As(err, &v) {
		fmt.Println("refused:", v.Rule)
	}
	// ...unless the rule is waived, with a reason the audit will show.
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), hardening.WithAddedVolume("/etc:/host-etc"),
		hardening.Waive(rule.ContainerSensitiveMounts, "config sync agent writes /etc/hosts"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range sp.Check() {
		if f.Status != rule.StatusPass && f.Status != rule.StatusSkip {
			fmt.Println(f.Status, f.Rule, f.CIS, "-", f.Reason)
		}
	}
	// Output:
	// refused: container.sensitive-mounts
	// waived container.sensitive-mounts [5.6] - waived: config sync agent writes /etc/hosts
}

func ExampleHostConfigModifier() {
	mod, err := hardening.HostConfigModifier(hardening.WithMemory(256 << 20))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A HostConfig as a tool such as testcontainers-go builds it.
	hc := &container.HostConfig{NetworkMode: "test-net", AutoRemove: true}
	mod(hc)
	fmt.Println(hc.NetworkMode, hc.CapDrop, hc.ReadonlyRootfs, hc.Memory, hc.RestartPolicy.Name)
	// Output:
	// test-net [ALL] true 268435456 no
}

func ExampleModifiers() {
	mods, err := hardening.Modifiers(hardening.WithNonRootUser(), hardening.WithMemory(256<<20))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The Config and HostConfig as a tool such as testcontainers-go builds them.
	cfg := &container.Config{Image: "postgres:16"}
	hc := &container.HostConfig{NetworkMode: "test-net", Privileged: true}
	mods.Config(cfg)
	mods.HostConfig(hc)
	fmt.Println(cfg.User, hc.Privileged, hc.CapDrop, hc.Memory)

	// What a modifier cannot carry is an error, never dropped.
	_, err = hardening.HostConfigModifier(hardening.WithUser("1000:1000"))
	fmt.Println(errors.Is(err, hardening.ErrModifierCannotApply))
	// Output:
	// 65534:65534 false [ALL] 268435456
	// true
}

// Verify is what a testcontainers-go PreStarts hook calls, so that a
// container another modifier loosened never starts:
//
//	req := testcontainers.ContainerRequest{
//		Image: image,
//		ConfigModifier:     mods.Config,
//		HostConfigModifier: mods.HostConfig,
//		LifecycleHooks: []testcontainers.ContainerLifecycleHooks{{
//			PreStarts: []testcontainers.ContainerHook{func(ctx context.Context, c testcontainers.Container) error {
//				return hardening.Verify(ctx, cli, c.GetContainerID())
//			}},
//		}},
//	}
//
// (tctest/ has this wiring, run against a real daemon.) Not run here: it
// needs a daemon.
func ExampleVerify() {
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close()
	preStart := func(ctx context.Context, containerID string) error {
		return hardening.Verify(ctx, cli, containerID)
	}
	if err := preStart(ctx, "created-but-not-started"); err != nil {
		var v *rule.Violation
		if errors.As(err, &v) {
			fmt.Println("refused to start:", v.Rule, v.Reason)
		}
	}
}

func ExampleParseSELinuxLabel() {
	hc := &container.HostConfig{SecurityOpt: []string{"no-new-privileges:true", "label=type:svirt_apache_t", "label=level:s0:c100,c200"}}
	l, ok, err := hardening.ParseSELinuxLabel(hc)
	fmt.Println(ok, err)
	fmt.Printf("type %s, level %s, disabled %v\n", l.Type, l.Level, l.Disable)
	// Output:
	// true <nil>
	// type svirt_apache_t, level s0:c100,c200, disabled false
}

// An audit left to choose its concurrency (AuditOptions.Concurrency zero)
// keeps two inspects in flight per CPU, between 2 and DefaultConcurrency.
func ExampleAutoConcurrency() {
	n := hardening.AutoConcurrency()
	fmt.Println(n >= 2 && n <= hardening.DefaultConcurrency)
	// Output: true
}
