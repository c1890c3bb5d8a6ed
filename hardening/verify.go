package hardening

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/rule"
)

// Verify inspects the container with this ID (or name) on the daemon
// behind cli and judges it with every container rule, exactly as Audit
// judges one container: the daemon's host facts, the facts of the networks
// it joins, the waivers recorded in its io.safedock.waive.* labels, and, if
// it runs, its processes. It returns nil when every rule passes or is
// waived, and otherwise an error joining a *rule.Violation for each failure
// (use errors.As). It changes nothing on the daemon.
//
// Call it between create and start, for a container another tool made:
// with testcontainers-go, from a PreStarts lifecycle hook, so that a
// container some other modifier loosened never starts (the tool then
// removes it). It makes one inspect, one /info and one network list.
func Verify(ctx context.Context, cli Client, containerID string) error {
	res, err := cli.ContainerInspect(ctx, containerID, client.ContainerInspectOptions{})
	if err != nil {
		return fmt.Errorf("verify container %s: %w", containerID, err)
	}
	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("verify container %s: reading daemon info: %w", containerID, err)
	}
	host := HostFacts{}.FromSecurityOptions(info.Info.SecurityOptions).ForDaemon(cli, info.Info)
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return fmt.Errorf("verify container %s: listing networks: %w", containerID, err)
	}
	c := &res.Container
	name := strings.TrimPrefix(c.Name, "/")
	a := containerAudit{ctx: ctx, cli: cli, nets: networkFacts(nets.Items), lister: TopLister{Client: cli},
		hostFn: func() (HostFacts, error) { return host, nil }}
	findings, err := a.evaluate(name, inspectedContainer{c: c})
	if err != nil {
		return fmt.Errorf("verify container %s: %w", name, err)
	}
	var errs []error
	for _, f := range findings {
		if f.Status != rule.StatusFail {
			continue
		}
		errs = append(errs, &rule.Violation{Rule: f.Rule, Reason: f.Reason, Detail: f.Detail,
			Fix: f.Remediation + " Or waive it: Waive(\"" + string(f.Rule) + "\", reason)."})
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("verify container %s: %w", name, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("verify container %s: %w", name, errors.Join(errs...))
	}
	return nil
}
