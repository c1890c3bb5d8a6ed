package hardening

import (
	"os"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/system"
	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

// plainInspect is a plain container as dockerd reports it: no security
// options, the log config dockerd merged in at create time.
func plainInspect(opts ...string) *container.InspectResponse {
	return &container.InspectResponse{
		Name:       "/plain",
		Config:     &container.Config{},
		HostConfig: &container.HostConfig{SecurityOpt: opts},
	}
}

// effectiveCase is a plain container's security options on a host, and the
// status and method one rule gives it: the daemon's settings count for
// every container that does not override them, and the finding says the
// daemon decided.
type effectiveCase struct {
	name   string
	host   HostFacts
	opts   []string
	status rule.Status
	method string
}

// effectiveCases audits a plain container (plainInspect) for each case and
// checks the status and method of rule id.
func effectiveCases(t *testing.T, id rule.ID, cases []effectiveCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := findingOf(Evaluate(SubjectFromInspect(plainInspect(c.opts...), c.host, nil)), id)
			assert.Equal(t, c.status, f.Status, "%s: %s", f.Reason, f.Detail)
			assert.Equal(t, c.method, f.Method)
		})
	}
}

func TestFromSecurityOptionsReadsDaemonDefaults(t *testing.T) {
	h := HostFacts{}.FromSecurityOptions([]string{"name=seccomp,profile=unconfined", "name=no-new-privileges", "name=apparmor"})
	assert.True(t, h.Known)
	assert.True(t, h.NoNewPrivileges)
	assert.True(t, h.AppArmor)
	assert.Equal(t, "unconfined", h.SeccompProfile)
	assert.Equal(t, "default", HostFacts{}.FromSecurityOptions([]string{"name=seccomp,profile=default"}).SeccompProfile)
}

type fakeDaemonHost string

func (f fakeDaemonHost) DaemonHost() string { return string(f) }

func TestForDaemonMarksUnixSocketDaemonsLocal(t *testing.T) {
	me, _ := os.Hostname()
	h := HostFacts{SocketPaths: []string{"/a.sock"}}.ForDaemon(fakeDaemonHost("unix:///tmp/x/d.sock"), system.Info{Name: me, DockerRootDir: "/var/lib/docker"})
	assert.True(t, h.Local)
	assert.Equal(t, "/var/lib/docker", h.DataRoot)
	assert.Equal(t, []string{"/a.sock", "/tmp/x/d.sock"}, h.SocketPaths)
	assert.False(t, HostFacts{}.ForDaemon(fakeDaemonHost("tcp://10.0.0.1:2376"), system.Info{}).Local)
	assert.False(t, HostFacts{}.ForDaemon(fakeDaemonHost("ssh://me@host"), system.Info{}).Local)
	assert.False(t, HostFacts{}.ForDaemon(fakeDaemonHost("unix:///tmp/fwd.sock"), system.Info{Name: me + "-elsewhere"}).Local, "a forwarded socket of another host")
	assert.False(t, HostFacts{}.ForDaemon(struct{}{}, system.Info{}).Local)
}
