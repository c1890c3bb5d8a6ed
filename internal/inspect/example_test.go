package inspect_test

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/inspect"
)

// An audit of many containers on a local daemon, with the inspects fetched
// by a FastInspector (safedock.Audit does this itself when it creates the
// client). Not run: it needs a daemon.
func ExampleFastInspector() {
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cli.Close()
	fi, err := inspect.NewFastInspector(cli, hardening.DefaultConcurrency)
	if err != nil {
		fmt.Println("not a local daemon:", err) // keep the client's ContainerInspect
		return
	}
	defer fi.Close()
	rep, err := hardening.Audit(ctx, cli, hardening.AuditOptions{Inspector: fi, Processes: inspect.NewProcLister(hardening.TopLister{Client: cli})})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Summary.Fail, "failed findings")
}
