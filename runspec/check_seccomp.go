package runspec

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkSeccomp binds container.seccomp to its judge.
var checkSeccomp = rule.Bind(containerRules, rule.ContainerSeccomp, judgeSeccomp)

// gatedSyscalls are system calls Docker's default profile allows only to a
// process holding the named capability ("" = never). A filter that allows
// one of them unconditionally, without that capability in the bounding
// set, is looser than Docker's default.
var gatedSyscalls = map[string]string{
	"kexec_load": "CAP_SYS_BOOT", "kexec_file_load": "CAP_SYS_BOOT", "reboot": "CAP_SYS_BOOT",
	"init_module": "CAP_SYS_MODULE", "finit_module": "CAP_SYS_MODULE", "delete_module": "CAP_SYS_MODULE",
	"open_by_handle_at": "CAP_DAC_READ_SEARCH",
	"mount":             "CAP_SYS_ADMIN", "umount2": "CAP_SYS_ADMIN", "pivot_root": "CAP_SYS_ADMIN",
	"swapon": "CAP_SYS_ADMIN", "swapoff": "CAP_SYS_ADMIN", "quotactl": "CAP_SYS_ADMIN",
	"setns": "CAP_SYS_ADMIN", "fsopen": "CAP_SYS_ADMIN", "move_mount": "CAP_SYS_ADMIN",
	"acct": "CAP_SYS_PACCT", "settimeofday": "CAP_SYS_TIME", "clock_settime": "CAP_SYS_TIME",
	"iopl": "CAP_SYS_RAWIO", "ioperm": "CAP_SYS_RAWIO",
	"add_key": "", "request_key": "", "keyctl": "",
}

func blockingAction(a specs.LinuxSeccompAction) bool {
	switch a {
	case specs.ActErrno, specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap:
		return true
	}
	return false
}

// seccompProblem says why a filter is weaker than Docker's default, or "".
func seccompProblem(spec *specs.Spec) (reason, detail string) {
	if spec == nil || spec.Linux == nil || spec.Linux.Seccomp == nil {
		return "no seccomp filter: every system call is allowed", "linux.seccomp is missing"
	}
	sc := spec.Linux.Seccomp
	if !blockingAction(sc.DefaultAction) {
		return "the seccomp filter allows by default", fmt.Sprintf("linux.seccomp.defaultAction %q", sc.DefaultAction)
	}
	var bounding []string
	if spec.Process != nil && spec.Process.Capabilities != nil {
		bounding = spec.Process.Capabilities.Bounding
	}
	var loose []string
	for _, sys := range sc.Syscalls {
		if blockingAction(sys.Action) || len(sys.Args) > 0 {
			continue
		}
		for _, n := range sys.Names {
			capName, gated := gatedSyscalls[n]
			if gated && (capName == "" || !slices.Contains(bounding, capName)) && !slices.Contains(loose, n) {
				loose = append(loose, n)
			}
		}
	}
	if len(loose) > 0 {
		slices.Sort(loose)
		return "the seccomp filter allows system calls Docker's default blocks", "linux.seccomp allows " + strings.Join(loose, ",")
	}
	return "", ""
}

// applySeccomp keeps a filter at least as strict as Docker's default and
// otherwise installs Docker's default profile for the bounding set (so it
// runs after applyCapabilities).
func applySeccomp(_ *settings, spec *specs.Spec, waived bool) error {
	if waived {
		return nil
	}
	if r, _ := seccompProblem(spec); r == "" {
		return nil // a filter at least as strict as Docker's: keep it
	}
	p, err := defaultSeccomp(spec)
	if err != nil {
		return fmt.Errorf("building the default seccomp profile: %w", err)
	}
	spec.Linux.Seccomp = p
	return nil
}

func judgeSeccomp(in subject) rule.Result {
	if r, d := seccompProblem(in.spec); r != "" {
		return rule.Fail(r, d)
	}
	sc := in.spec.Linux.Seccomp
	return rule.Pass("seccomp filter denies by default", fmt.Sprintf("defaultAction %s, %d rules", sc.DefaultAction, len(sc.Syscalls)))
}
