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

// The daemon's settings count for every container that does not override
// them, and the finding says the daemon decided.
func TestDaemonWideSettingsAreEffective(t *testing.T) {
	nnp := HostFacts{Known: true, NoNewPrivileges: true}
	for _, c := range []struct {
		name   string
		host   HostFacts
		opts   []string
		id     rule.ID
		status rule.Status
		method string
	}{
		{"daemon no-new-privileges", nnp, nil, rule.ContainerNoNewPrivileges, rule.StatusPass, MethodDaemonDefault},
		{"container turns it off", nnp, []string{"no-new-privileges:false"}, rule.ContainerNoNewPrivileges, rule.StatusFail, "config"},
		{"container turns it off (=)", nnp, []string{"no-new-privileges=false"}, rule.ContainerNoNewPrivileges, rule.StatusFail, "config"},
		{"container turns it off (0)", nnp, []string{"no-new-privileges=0"}, rule.ContainerNoNewPrivileges, rule.StatusFail, "config"},
		{"ParseBool true", HostFacts{Known: true}, []string{"no-new-privileges=1"}, rule.ContainerNoNewPrivileges, rule.StatusPass, "config"},
		{"bare", HostFacts{Known: true}, []string{"no-new-privileges"}, rule.ContainerNoNewPrivileges, rule.StatusPass, "config"},
		{"dockerd refuses", nnp, []string{"no-new-privileges=maybe"}, rule.ContainerNoNewPrivileges, rule.StatusFail, "config"},
		{"no daemon default", HostFacts{Known: true}, nil, rule.ContainerNoNewPrivileges, rule.StatusFail, "config"},

		{"daemon seccomp unconfined", HostFacts{Known: true, SeccompProfile: "unconfined"}, nil, rule.ContainerSeccomp, rule.StatusFail, MethodDaemonDefault},
		{"container profile over unconfined daemon", HostFacts{Known: true, SeccompProfile: "unconfined"}, []string{"seccomp=/p.json"}, rule.ContainerSeccomp, rule.StatusPass, "config"},
		{"daemon custom profile", HostFacts{Known: true, SeccompProfile: "/etc/docker/seccomp.json"}, nil, rule.ContainerSeccomp, rule.StatusPass, MethodDaemonDefault},
		{"daemon builtin", HostFacts{Known: true, SeccompProfile: "builtin"}, nil, rule.ContainerSeccomp, rule.StatusPass, MethodDaemonDefault},
		{"container unconfined", HostFacts{Known: true}, []string{"seccomp=unconfined"}, rule.ContainerSeccomp, rule.StatusFail, "config"},

		{"daemon userns-remap", HostFacts{Known: true, UsernsRemap: true}, nil, rule.ContainerHostUserns, rule.StatusPass, MethodDaemonDefault},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := findingOf(Evaluate(SubjectFromInspect(plainInspect(c.opts...), c.host, nil)), c.id)
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

// The builder judges the daemon's default log driver when the container
// sets none, and merges the daemon's options into a same-driver config as
// dockerd does.
func TestDaemonDefaultLogConfig(t *testing.T) {
	rotating := &container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "10m"}}
	for _, c := range []struct {
		name   string
		daemon *container.LogConfig
		lc     container.LogConfig
		status rule.Status
		method string
	}{
		{"unknown default", nil, container.LogConfig{}, rule.StatusSkip, "config"},
		{"rotating default", rotating, container.LogConfig{}, rule.StatusPass, MethodDaemonDefault},
		{"same driver inherits max-size", rotating, container.LogConfig{Type: "json-file"}, rule.StatusPass, MethodDaemonDefault},
		{"container's own max-size -1 wins", rotating, container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "-1"}}, rule.StatusFail, "config"},
		{"non-rotating default", &container.LogConfig{Type: "json-file"}, container.LogConfig{}, rule.StatusFail, MethodDaemonDefault},
		{"other driver inherits nothing", &container.LogConfig{Type: "local", Config: map[string]string{"max-size": "10m"}}, container.LogConfig{Type: "json-file"}, rule.StatusFail, "config"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := hostAll
			h.LogConfig = c.daemon
			sp, err := Build(testImage, append(hardenedOpts(), WithHostFacts(h), WithHostConfig(func(hc *container.HostConfig) { hc.LogConfig = c.lc }))...)
			if c.status == rule.StatusFail {
				assert.Contains(t, violationIDs(err), rule.ContainerLogRotation)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			f := findingOf(sp.Check(), rule.ContainerLogRotation)
			assert.Equal(t, c.status, f.Status, "%s: %s", f.Reason, f.Detail)
			assert.Equal(t, c.method, f.Method)
		})
	}
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
