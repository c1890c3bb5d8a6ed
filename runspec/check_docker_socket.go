package runspec

import (
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/policy"
	"github.com/safedock/safedock/rule"
)

// checkDockerSocket binds container.docker-socket to its judge.
var checkDockerSocket = rule.Bind(containerRules, rule.ContainerDockerSocket, judgeDockerSocket)

// dockerSocketSource reports whether a mount source is an engine API
// socket or a directory holding one, judged as written
// (policy.EngineSocketAt: Docker's, containerd's, Podman's, CRI-O's,
// BuildKit's, rootless dockerd's).
func dockerSocketSource(src string) bool {
	if !path.IsAbs(src) {
		return false
	}
	_, _, ok := policy.EngineSocketAt(src)
	return ok
}

func socketMounts(spec *specs.Spec) []string {
	var bad []string
	if spec == nil {
		return nil
	}
	for _, m := range spec.Mounts {
		if dockerSocketSource(m.Source) && (isBind(m) || path.IsAbs(m.Source)) {
			bad = append(bad, mountDesc(m))
		}
	}
	return bad
}

// applyDockerSocket refuses a mount of an engine socket, waived or not.
func applyDockerSocket(_ *settings, spec *specs.Spec, _ bool) error {
	if bad := socketMounts(spec); len(bad) > 0 {
		return violation(rule.ContainerDockerSocket, "the Docker socket (or a directory holding it) is mounted", strings.Join(bad, "; "))
	}
	return nil
}

func judgeDockerSocket(in subject) rule.Result {
	if bad := socketMounts(in.spec); len(bad) > 0 {
		return rule.Fail("the Docker socket (or a directory holding it) is mounted", "mounts: "+strings.Join(bad, "; "))
	}
	return rule.Pass("the Docker socket is not mounted", "")
}
