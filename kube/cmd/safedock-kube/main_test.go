package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExportPrintsAPod(t *testing.T) {
	code, out, errOut := runCLI("export", "--name", "web", "--user", "1000:1000", "--memory", "256m", "--pids-limit", "100",
		"--cap-add", "NET_BIND_SERVICE", "--tmpfs", "/cache:rw,noexec,nosuid,nodev,size=8m", "-p", "127.0.0.1:8080:80",
		"--waive", "container.read-only-rootfs=legacy app writes to /var", "img@sha256:"+strings.Repeat("e", 64), "--serve")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "# elsewhere container.pids-limit: PidsLimit=100")
	var pod corev1.Pod
	require.NoError(t, yaml.Unmarshal([]byte(out), &pod))
	c := pod.Spec.Containers[0]
	assert.Equal(t, "web", pod.Name)
	assert.Equal(t, int64(1000), *pod.Spec.SecurityContext.RunAsUser)
	assert.Equal(t, "256Mi", c.Resources.Limits.Memory().String())
	assert.Equal(t, []string{"--serve"}, c.Args)
	assert.Equal(t, int32(80), c.Ports[0].ContainerPort)
	assert.Zero(t, c.Ports[0].HostPort)
	assert.Equal(t, "legacy app writes to /var", pod.Annotations["safedock.io/waive.container.read-only-rootfs"])
}

func TestExportRefusals(t *testing.T) {
	img := "img@sha256:" + strings.Repeat("e", 64)
	for name, args := range map[string][]string{
		"no image":            {"export"},
		"root without waiver": {"export", "--user", "0", img},
		"user name":           {"export", "--user", "app", img},
		"bad waiver":          {"export", "--waive", "container.privileged", img},
		"bad memory":          {"export", "--memory", "lots", img},
		"unknown command":     {"apply", img},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.NotEmpty(t, errOut)
		})
	}
	code, _, errOut := runCLI("export", "--user", "0", img)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--waive container.non-root-user=REASON", "the CLI suggests its flag")
	assert.NotContains(t, errOut, "Waive(")
	code, _, _ = runCLI()
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI("help")
	assert.Equal(t, exitOK, code)
}

func TestExportServiceFlags(t *testing.T) {
	img := "img@sha256:" + strings.Repeat("e", 64)
	code, out, errOut := runCLI("export", "--user", "1000", "-h", "web", "-w", "/srv", "--stop-timeout", "9",
		"--sysctl", "net.core.somaxconn=512", "--add-host", "db:10.0.0.5", "--cpus", "0.5", img)
	require.Equal(t, exitOK, code, errOut)
	var pod corev1.Pod
	require.NoError(t, yaml.Unmarshal([]byte(out), &pod))
	assert.Equal(t, "web", pod.Spec.Hostname)
	assert.Equal(t, "/srv", pod.Spec.Containers[0].WorkingDir)
	assert.EqualValues(t, 9, *pod.Spec.TerminationGracePeriodSeconds)
	assert.Equal(t, "net.core.somaxconn", pod.Spec.SecurityContext.Sysctls[0].Name)
	assert.Equal(t, "500m", pod.Spec.Containers[0].Resources.Limits.Cpu().String())
	for _, args := range [][]string{{"--ulimit", "nofile=1:2"}, {"--init"}, {"--dns", "10.0.0.53"}, {"--network", "a", "--network", "b"}, {"--shm-size", "1m"}} {
		code, out, errOut := runCLI(append(append([]string{"export", "--user", "1000"}, args...), img)...)
		assert.Equal(t, exitUsage, code, "%v is refused, not dropped", args)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "not expressible", "%v", args)
	}
}
