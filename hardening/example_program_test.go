package hardening_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/internal/dockertest"
)

// TestExampleProgramHardenedRun builds and runs examples/hardened-run with
// the probe image: the example must print the kernel's hardened view.
func TestExampleProgramHardenedRun(t *testing.T) {
	cli := dockertest.Client(t)
	img := dockertest.ProbeImage(t, cli, dockertest.ProbeImageOptions{})
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..")
	bin := filepath.Join(t.TempDir(), "hardened-run")
	build := exec.Command("go", "build", "-o", bin, "./examples/hardened-run")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	out, err = exec.Command(bin, img.Ref, "status").CombinedOutput()
	require.NoError(t, err, "%s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.GreaterOrEqual(t, len(lines), 2, "%s", out)
	var st dockertest.ProbeStatus
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &st), "%s", out)
	assert.Equal(t, "0000000000000000", st.CapEff)
	assert.Equal(t, "1", st.NoNewPrivs)
	assert.Equal(t, "2", st.Seccomp)
	assert.Equal(t, 65534, st.UID)
	assert.Contains(t, lines[len(lines)-1], "exited 0")
	assert.Contains(t, lines[len(lines)-1], img.ID)
}
