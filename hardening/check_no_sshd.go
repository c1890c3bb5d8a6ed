package hardening

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkNoSSHD binds container.no-sshd to its judge. The builder cannot
// enforce it: the image decides what runs.
var checkNoSSHD = rule.Bind(containerRules, rule.ContainerNoSSHD, judgeNoSSHD)

// judgeNoSSHD judges container.no-sshd: port 22 neither exposed nor
// published, and, while the container runs, no sshd among its processes.
func judgeNoSSHD(s *Subject) rule.Result {
	ports := exposedAndPublished(s)
	if slices.Contains(ports, "22/tcp") {
		return rule.Fail("port 22 (ssh) is exposed or published", fmt.Sprintf("ports=%v", ports))
	}
	if !s.ProcessesKnown {
		if s.Running {
			return rule.Skip("process list unavailable")
		}
		return rule.Skip("process list is only known while the container runs")
	}
	for _, p := range s.Processes {
		if isSSHD(p) {
			r := rule.Fail("an sshd process runs in the container", fmt.Sprintf("process %q", p))
			r.Method = s.ProcessMethod
			return r
		}
	}
	r := rule.Pass("no sshd process", fmt.Sprintf("%d processes", len(s.Processes)))
	r.Method = s.ProcessMethod
	return r
}

// isSSHD reports whether a process command line runs an SSH server.
func isSSHD(cmdline string) bool {
	f := strings.Fields(cmdline)
	if len(f) == 0 {
		return false
	}
	exe := f[0]
	if i := strings.LastIndexByte(exe, '/'); i >= 0 {
		exe = exe[i+1:]
	}
	exe = strings.TrimSuffix(exe, ":")
	return exe == "sshd" || exe == "dropbear" || strings.HasPrefix(exe, "sshd-")
}

// exposedAndPublished lists the container's and the image's exposed ports
// and the published ones, sorted, each once.
func exposedAndPublished(s *Subject) []string {
	var ports []string
	if s.Config != nil {
		for p := range s.Config.ExposedPorts {
			ports = append(ports, p.String())
		}
	}
	if s.Image != nil {
		ports = append(ports, s.Image.ExposedPorts...)
	}
	for p := range s.HostConfig.PortBindings {
		ports = append(ports, p.String())
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}
