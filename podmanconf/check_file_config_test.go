package podmanconf

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/safedock/safedock/rule"
)

func TestPodmanConfigFile(t *testing.T) {
	f := FileFacts{Path: "/etc/containers/containers.conf", Mode: 0o644, Perm: 0o644}
	assert.Equal(t, rule.StatusPass, podmanConfigFile.Judge(f).Status)
	w := f
	w.Perm = 0o664
	assert.Equal(t, rule.StatusFail, podmanConfigFile.Judge(w).Status)
	u := f
	u.UID = 1000
	assert.Equal(t, rule.StatusFail, podmanConfigFile.Judge(u).Status)
	d := FileFacts{Path: "/etc/containers/containers.conf.d", Mode: fs.ModeDir | 0o755, Perm: 0o755}
	assert.Equal(t, rule.StatusPass, podmanConfigFile.Judge(d).Status)

	rep := AuditFiles([]FileFacts{f, {Path: "/etc/containers/storage.conf", Missing: true}, {Path: "/run/podman/podman.sock", Socket: true, Mode: fs.ModeSocket, Perm: 0o600}})
	if assert.Len(t, rep.Findings, 2, "a missing file is not reported") {
		for _, fd := range rep.Findings {
			assert.Equal(t, FileMethod, fd.Method)
		}
	}
}
