package runspec_test

import (
	"errors"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
	"github.com/safedock/safedock/runspec"
)

// Harden a zero spec: every rule is enforced with secure defaults.
func ExampleApply() {
	spec := &specs.Spec{Process: &specs.Process{Args: []string{"/app"}}}
	err := runspec.Apply(spec,
		runspec.WithUser("1000:1000"),
		runspec.WithAddedCapabilities("NET_BIND_SERVICE"),
		runspec.WithTmpfs("/tmp", 64<<20),
		runspec.WithPidsLimit(128),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("user:", spec.Process.User.UID)
	fmt.Println("bounding:", spec.Process.Capabilities.Bounding)
	fmt.Println("read-only root:", spec.Root.Readonly)
	fmt.Println("no new privileges:", spec.Process.NoNewPrivileges)
	fmt.Println("seccomp:", spec.Linux.Seccomp.DefaultAction)
	fmt.Println("pids:", *spec.Linux.Resources.Pids.Limit)
	// Output:
	// user: 1000
	// bounding: [CAP_NET_BIND_SERVICE]
	// read-only root: true
	// no new privileges: true
	// seccomp: SCMP_ACT_ERRNO
	// pids: 128
}

// Loosening is refused unless the rule is waived; the waiver is recorded
// and Check reports the rule as waived.
func ExampleWaive() {
	spec := &specs.Spec{}
	err := runspec.Apply(spec, runspec.WithUser("0:0"))
	var v *rule.Violation
	fmt.Println(errors.As(err, &v), v.Rule)

	err = runspec.Apply(spec, runspec.WithUser("0:0"), runspec.Waive(rule.ContainerNonRootUser, "legacy init needs root"))
	fmt.Println(err)
	for _, f := range runspec.Check(spec) {
		if f.Rule == rule.ContainerNonRootUser {
			fmt.Println(f.Status, f.Reason)
		}
	}
	// Output:
	// true container.non-root-user
	// <nil>
	// waived waived: legacy init needs root
}

// Check a config.json read strictly from any reader.
func ExampleCheck() {
	spec, err := runspec.ReadConfig(strings.NewReader(`{"ociVersion":"1.0.2","process":{"cwd":"/","user":{"uid":0,"gid":0}},"root":{"path":"rootfs"}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range runspec.Check(spec) {
		if f.Rule == rule.ContainerNonRootUser || f.Rule == rule.ContainerReadOnlyRootfs {
			fmt.Println(f.Rule, f.Status, f.Detail)
		}
	}
	_, err = runspec.ReadConfig(strings.NewReader(`{"ociVersion":"1.0.2","privileged":true}`))
	fmt.Println(err)
	// Output:
	// container.non-root-user fail process.user 0:0
	// container.read-only-rootfs fail root.readonly is false
	// not an OCI runtime spec: unknown field "privileged"
}
