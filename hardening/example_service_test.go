package hardening_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

// WithTeam is an Option of one's own: a function that changes the Spec
// and returns an error for input it refuses. It may set anything; Build
// still judges the result with every rule, so an Option cannot loosen a
// default without a Waive. Validate the input, touch only what the name
// says, and prefer moby's own fields (sp.Config, sp.HostConfig).
func WithTeam(team string) hardening.Option {
	return func(sp *hardening.Spec) error {
		if team == "" {
			return fmt.Errorf("team: empty name")
		}
		sp.Config.Labels["com.example.team"] = team
		return nil
	}
}

// WithPrivilegedOops shows what Build does with an Option that loosens a
// default: it refuses the spec, naming the rule to fix or waive.
func WithPrivilegedOops() hardening.Option {
	return func(sp *hardening.Spec) error { sp.HostConfig.Privileged = true; return nil }
}

func ExampleOption() {
	sp, err := hardening.Build(imageID, hardening.WithNonRootUser(), WithTeam("payments"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("team:", sp.Config.Labels["com.example.team"])

	_, err = hardening.Build(imageID, hardening.WithNonRootUser(), WithTeam(""))
	fmt.Println(err)

	_, err = hardening.Build(imageID, hardening.WithNonRootUser(), WithPrivilegedOops())
	for _, v := range rule.Violations(err) {
		fmt.Println("refused:", v.Rule)
	}
	// Output:
	// team: payments
	// build container spec: invalid container spec: team: empty name
	// refused: container.capabilities
	// refused: container.privileged
	// refused: container.seccomp
}

// A service as a test or a deployment uses it: a health check, a random
// host port, and a wait until it is healthy.
func ExampleContainer_WaitHealthy() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close()
	c, err := hardening.Run(ctx, cli, "registry.example.com/api:1.4",
		hardening.WithNonRootUser(),
		hardening.WithAddedPort("127.0.0.1::8080"), // a random host port
		hardening.WithHealthcheck(&container.HealthConfig{
			Test: []string{"CMD", "/api", "healthz"}, Interval: time.Second, Retries: 3}),
		hardening.WithStopTimeout(20*time.Second),
		hardening.WithUlimit("nofile=4096:8192"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Remove(context.WithoutCancel(ctx))
	if err := c.WaitHealthy(ctx); err != nil { // fails fast when it exits or turns unhealthy
		fmt.Println(err)
		return
	}
	addr, err := c.HostPort(ctx, "8080/tcp") // e.g. 127.0.0.1:32768
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := http.Get("http://" + addr + "/")
	if err == nil {
		resp.Body.Close()
	}
	res, err := c.Exec(ctx, []string{"/api", "migrate"}, hardening.ExecOptions{}) // as the container's user
	fmt.Println(res.ExitCode, err)
}
