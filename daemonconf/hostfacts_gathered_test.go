package daemonconf_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/hostfs"
)

// TestHostFactsFromJudgesTheGatheredFacts: HostFactsFrom reads nothing, so
// the verdicts follow the facts gathered (GatherHostFacts), not the disk as
// it is when Validate runs: a seccomp profile, TLS file, runtime and plugin
// removed after the gather still count as there, and ones created after it
// still count as missing.
func TestHostFactsFromJudgesTheGatheredFacts(t *testing.T) {
	root := t.TempDir()
	write := func(p, body string, mode os.FileMode) { t.Helper(); writeUnder(t, root, p, body, mode) }
	write("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644)
	write("/etc/group", "root:x:0:\n", 0o644)
	write("/etc/docker/seccomp.json", "{}", 0o644)
	write("/etc/docker/ca.pem", "ca", 0o644)
	write("/etc/docker/cert.pem", "cert", 0o644)
	write("/etc/docker/key.pem", "key", 0o600)
	write("/usr/bin/runsc", "#!/bin/sh\n", 0o755)
	write("/etc/docker/plugins/opa.spec", "unix:///run/opa.sock", 0o644)
	present := `{"seccomp-profile": "/etc/docker/seccomp.json", "tls": true, "tlsverify": true, "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem", "tlskey": "/etc/docker/key.pem",
		"runtimes": {"gvisor": {"path": "runsc"}}, "default-runtime": "gvisor", "authorization-plugins": ["opa"]}`
	absent := `{"seccomp-profile": "/etc/docker/later.json", "authorization-plugins": ["later"], "runtimes": {"kata": {"path": "/usr/bin/kata"}}, "default-runtime": "kata"}`

	gather := func(data string) *hostfs.Facts {
		t.Helper()
		r, err := hostfs.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		f := hostfs.Gather(r, hostfs.GatherOptions{Args: []string{}})
		daemonconf.GatherHostFacts(r, &f, []byte(data), nil)
		return &f
	}
	before, later := gather(present), gather(absent)
	// The disk changes after the gather: every file present is removed,
	// every file absent is created.
	for _, p := range []string{"etc/docker/seccomp.json", "etc/docker/ca.pem", "etc/docker/cert.pem", "etc/docker/key.pem", "usr/bin/runsc", "etc/docker/plugins/opa.spec"} {
		if err := os.Remove(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	write("/etc/docker/later.json", "{}", 0o644)
	write("/etc/docker/plugins/later.spec", "unix:///run/later.sock", 0o644)
	write("/usr/bin/kata", "#!/bin/sh\n", 0o755)

	ver := daemonconf.Version{Major: 28}
	hostProblems := func(res *daemonconf.Result) []string {
		var out []string
		for _, p := range res.Problems {
			if p.HostDependent {
				out = append(out, p.Key+": "+p.Message)
			}
		}
		return out
	}
	ok := daemonconf.Validate([]byte(present), daemonconf.Options{Version: ver, Host: daemonconf.HostFactsFrom(before)})
	if hp := hostProblems(ok); len(hp) > 0 || !ok.OK() {
		t.Errorf("the files were there when gathered: %v", ok.Problems)
	}
	bad := daemonconf.Validate([]byte(absent), daemonconf.Options{Version: ver, Host: daemonconf.HostFactsFrom(later)})
	hp := hostProblems(bad)
	for _, key := range []string{"seccomp-profile", "authorization-plugins", "runtimes"} {
		if !slices.ContainsFunc(hp, func(s string) bool { return strings.HasPrefix(s, key+":") }) {
			t.Errorf("%s was missing when gathered: want a host problem, got %v", key, hp)
		}
	}
	if !bad.Refused() {
		t.Errorf("a missing seccomp profile and plugin: want refused, got %v", bad.Problems)
	}
	// Facts gathered for one file know nothing of the files another names.
	other := daemonconf.HostFactsFrom(before)
	if other.PathExists("/etc/docker/later.json") {
		t.Error("a path never gathered counts as present")
	}
}
