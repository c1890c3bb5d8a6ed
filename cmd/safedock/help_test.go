package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/cmd/cliflags"
	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/rule"
)

// Every command and subcommand answers --help (and -h) with exit code 0
// and its help on stdout; nothing is run.
func TestEveryCommandHasHelp(t *testing.T) {
	cmds := [][]string{{}, {"help"}}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "kube" {
			continue // runs safedock-kube, tested in the kube module
		}
		cmds = append(cmds, []string{n})
	}
	for n := range auditSubcommands {
		cmds = append(cmds, []string{"audit", n})
	}
	cmds = append(cmds, [][]string{{"swarm", "deploy"}, {"perms", "check"}, {"perms", "fix"}, {"daemon-config", "validate"},
		{"daemon-config", "generate"}, {"daemon-config", "harden"}, {"authz", "serve"}, {"authz", "install"},
		{"runspec", "check"}, {"runspec", "harden"}}...)
	for _, c := range cmds {
		for _, h := range []string{"--help", "-h", "-help"} {
			args := append(append([]string{}, c...), h)
			if len(c) == 0 {
				args = []string{h}
			}
			code, out, errOut := invoke(args...)
			assert.Equal(t, exitOK, code, "safedock %s: %s", strings.Join(args, " "), errOut)
			assert.NotEmpty(t, strings.TrimSpace(out), "safedock %s prints its help on stdout", strings.Join(args, " "))
		}
	}
	code, out, _ := invoke("--help")
	require.Equal(t, exitOK, code)
	for _, n := range names {
		assert.Contains(t, out, "  "+n+" ", "the command list names %s", n)
	}
	code, out, _ = invoke("help", "audit", "containers")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "-format")
}

// The help of run and swarm deploy lists every flag, each with its default.
func TestRunHelpListsEveryFlagWithItsDefault(t *testing.T) {
	for _, args := range [][]string{{"run", "--help"}, {"run", "-h"}, {"swarm", "deploy", "--help"}, {"swarm", "deploy", "-h"}, {"help", "run"}} {
		code, out, errOut := invoke(args...)
		require.Equal(t, exitOK, code, errOut)
		assert.Empty(t, errOut)
		n := 0
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, "  -") {
				continue
			}
			n++
			require.Less(t, i+1, len(lines))
			assert.Contains(t, lines[i+1], "(default", "every flag shows its default: %q", l)
		}
		assert.Greater(t, n, 10, "%v lists its flags", args)
		for _, f := range []string{"--health-cmd", "--mount", "-w, --workdir", "-h, --hostname", "--stop-timeout", "--waive", "-p, --publish", "--timeout"} {
			assert.Contains(t, out, "  "+f+" ", "%v lists %s", args, f)
		}
	}
	// After the image, --help belongs to the container: it is not help.
	code, _, errOut := invoke("run", "--network", "none", "no-such-image-safedock-test", "--help")
	assert.NotEqual(t, exitOK, code)
	assert.NotContains(t, errOut, "Flags:")
	// -h with a value is the hostname, as in docker run.
	code, _, errOut = invoke("run", "-h", "bad_host!", "img")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--hostname")
}

func TestVersionFromBuildInfo(t *testing.T) {
	code, out, errOut := invoke("version")
	require.Equal(t, exitOK, code, errOut)
	v, rev := buildVersion()
	assert.Contains(t, out, "safedock "+v+"\n")
	assert.Contains(t, out, "module:   github.com/safedock/safedock")
	if rev != "" {
		assert.Contains(t, out, "revision: "+rev)
	} else {
		assert.Contains(t, out, "revision: unknown")
	}
	code, out2, _ := invoke("--version")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, out, out2)
	code, _, _ = invoke("version", "extra")
	assert.Equal(t, exitUsage, code)
}

func TestRefusalsSuggestTheWaiveFlag(t *testing.T) {
	_, err := hardening.Build("sha256:0000000000000000000000000000000000000000000000000000000000000000",
		hardening.WithUser("0"), hardening.WithHostConfig(func(hc *container.HostConfig) { hc.Privileged = true }))
	require.Error(t, err)
	require.Contains(t, err.Error(), "Waive(\"", "the library suggests Waive(...)")
	var buf strings.Builder
	require.True(t, cliViolations(&buf, "run", fmt.Errorf("run img: %w", err)))
	out := buf.String()
	assert.NotContains(t, out, "Waive(")
	assert.Contains(t, out, "--waive "+string(rule.ContainerNonRootUser)+"=REASON")
	assert.Contains(t, out, "--waive "+string(rule.ContainerPrivileged)+"=REASON")
	assert.Equal(t, len(rule.Violations(err))+1, strings.Count(out, "\n"), "one line per violation: %s", out)

	v := &rule.Violation{Rule: "container.x", Reason: "r", Fix: "do y"}
	assert.Equal(t, "container.x: r; do y. Or waive it with --waive container.x=REASON.", cliflags.ViolationText(v))
	assert.False(t, cliViolations(&buf, "run", fmt.Errorf("plain")))
}

// Every command's help lists each flag with its default, the zero ones
// (false, "", 0) included, which flag.PrintDefaults leaves out.
func TestEveryCommandsHelpGivesEveryDefault(t *testing.T) {
	for _, c := range [][]string{{"audit"}, {"audit", "host"}, {"perms", "check"}, {"perms", "fix"},
		{"daemon-config", "validate"}, {"daemon-config", "generate"}, {"daemon-config", "harden"},
		{"daemon-config", "schema"}, {"authz", "serve"}, {"authz", "install"}, {"runspec", "check"},
		{"runspec", "harden"}, {"audit-rules"}} {
		code, out, errOut := invoke(append(c, "--help")...)
		require.Equal(t, exitOK, code, "%v: %s", c, errOut)
		lines := strings.Split(out, "\n")
		flags := 0
		for i, l := range lines {
			if !strings.HasPrefix(l, "  -") {
				continue
			}
			flags++
			require.Less(t, i+1, len(lines), "%v: %q has no description", c, l)
			assert.Contains(t, lines[i+1], "default", "%v: %s gives no default", c, strings.TrimSpace(l))
		}
		assert.Positive(t, flags, "%v lists its flags:\n%s", c, out)
	}
}
