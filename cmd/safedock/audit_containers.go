package main

import (
	"context"

	"github.com/safedock/safedock"
)

func init() {
	registerAudit(command{name: "containers", summary: "audit the containers on the daemon (CIS 4.x, 5.x); the same as audit --only containers", run: runAuditContainers})
}

// runAuditContainers is "safedock audit --only containers": the same code,
// flags (but --only, --skip, --root and --trusted), findings, methods and
// exit codes.
func runAuditContainers(ctx context.Context, e *env, args []string) int {
	return runWholeAudit(ctx, e, "audit containers", args, []safedock.Section{safedock.SectionContainers})
}
