package hardening

import (
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestNoSSHD(t *testing.T) {
	judgeCases(t, checkNoSSHD, []judgeCase{
		{"not running", nil, rule.StatusSkip},
		{"running, processes unknown", func(s *Subject) { s.Running = true }, rule.StatusSkip},
		{"image exposes 22", func(s *Subject) { s.Image = &ImageFacts{ExposedPorts: []string{"22/tcp"}} }, rule.StatusFail},
		{"22 published", hc(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("22/tcp"): {{HostPort: "2222"}}}
		}), rule.StatusFail},
		{"an sshd runs", func(s *Subject) { s.Running, s.ProcessesKnown, s.Processes = true, true, []string{"/usr/sbin/sshd -D"} }, rule.StatusFail},
		{"no sshd", func(s *Subject) { s.Running, s.ProcessesKnown, s.Processes = true, true, []string{"/app --serve"} }, rule.StatusPass},
	})
}

func TestIsSSHD(t *testing.T) {
	assert.True(t, isSSHD("/usr/sbin/sshd -D"))
	assert.True(t, isSSHD("sshd: root@pts/0"))
	assert.True(t, isSSHD("dropbear -F"))
	assert.False(t, isSSHD("/usr/bin/ssh-agent"))
	assert.False(t, isSSHD("nginx: master process"))
	assert.False(t, isSSHD(""))
}
