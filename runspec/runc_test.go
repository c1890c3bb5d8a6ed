package runspec

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/policy"
)

// TestRuncRunsHardenedBundle: a bundle made from real `runc spec` output,
// hardened with Apply, runs under `runc run`, and the probe inside sees what
// the rules promise.
func TestRuncRunsHardenedBundle(t *testing.T) {
	runc, err := exec.LookPath("runc")
	if err != nil {
		dockertest.Unavailable(t, "runc not installed: %v", err)
	}
	if os.Geteuid() != 0 {
		dockertest.Unavailable(t, "runc run needs root")
	}
	probe := dockertest.ProbeBinary(t)

	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	for _, d := range []string{rootfs, filepath.Join(rootfs, "etc"), filepath.Join(rootfs, "tmp"), filepath.Join(rootfs, "proc"), filepath.Join(rootfs, "sys"), filepath.Join(rootfs, "dev")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(rootfs, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(probe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "probe"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "etc", "passwd"), []byte("root:x:0:0:root:/:/probe\nnobody:x:65534:65534:nobody:/:/probe\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, runc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v\n%s", err, out)
	}
	spec, _, _, err := LoadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	id := dockertest.Name("runspec")
	const pids, memory = 37, 64 << 20
	spec.Process.Terminal = false
	spec.Process.Args = []string{"/probe", "status"}
	spec.Linux.CgroupsPath = "/" + id
	if err := Apply(spec, WithTmpfs("/tmp", 16<<20), WithPidsLimit(pids), WithMemory(memory)); err != nil {
		t.Fatal(err)
	}
	for _, f := range Check(spec) {
		if !allowedAfterApply(f) {
			t.Fatalf("hardened bundle fails %s: %s", f.Rule, f.Detail)
		}
	}
	b, err := json.MarshalIndent(spec, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}

	state := t.TempDir() // runc's state directory: private to this test
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, runc, "--root", state, "delete", "-f", id).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "does not exist") && !strings.Contains(string(out), "not exist") {
			t.Errorf("cleanup: runc delete %s: %v\n%s", id, err, out)
		}
		// runc removes the cgroups it created; make sure, on every controller.
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", id))
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("cleanup: removing cgroup %s: %v", d, err)
			}
		}
		if rest, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", id)); len(rest) > 0 {
			t.Errorf("cleanup: cgroups left behind: %v", rest)
		}
	})

	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, runc, "--root", state, "run", "--bundle", bundle, id)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("runc run: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	var st dockertest.ProbeStatus
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &st); err != nil {
		t.Fatalf("probe output %q: %v (stderr %s)", stdout.String(), err, stderr.String())
	}
	t.Logf("probe under runc: %+v", st)
	zero := "0000000000000000"
	if st.CapEff != zero || st.CapPrm != zero || st.CapBnd != zero {
		t.Errorf("capabilities not zero: eff %s prm %s bnd %s", st.CapEff, st.CapPrm, st.CapBnd)
	}
	if st.NoNewPrivs != "1" {
		t.Errorf("NoNewPrivs %q, want 1", st.NoNewPrivs)
	}
	if st.Seccomp != "2" {
		t.Errorf("Seccomp %q, want 2 (filter)", st.Seccomp)
	}
	if st.WriteRoot == "ok" {
		t.Error("writing to / succeeded on a read-only root")
	}
	if st.WriteTmp != "ok" {
		t.Errorf("writing to the /tmp tmpfs failed: %s", st.WriteTmp)
	}
	if st.UID == 0 || st.UID != int(policy.DefaultUID) {
		t.Errorf("uid %d, want %d", st.UID, policy.DefaultUID)
	}
	if st.PidsMax != "37" {
		t.Errorf("pids.max %q, want 37", st.PidsMax)
	}
	if st.MemoryLimit != "67108864" {
		t.Errorf("memory limit %q, want 67108864", st.MemoryLimit)
	}
}
