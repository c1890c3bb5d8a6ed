package perms_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/safedock/safedock/perms"
	"github.com/safedock/safedock/rule"
)

const dockerGID = 4242 // the tree's docker group; deliberately not this machine's

// tree is a fake Docker host under t.TempDir(): every file of every rule,
// in its correct state.
type tree struct {
	t    *testing.T
	root string
}

func (tr tree) path(p string) string { return filepath.Join(tr.root, p) }

func (tr tree) write(p string, data string, perm os.FileMode) {
	tr.t.Helper()
	full := tr.path(p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), perm); err != nil {
		tr.t.Fatal(err)
	}
	tr.chmod(p, perm)
}

func (tr tree) chmod(p string, perm os.FileMode) {
	tr.t.Helper()
	// os.Chmod maps Go's setuid bits; use the raw syscall for raw bits.
	if err := syscall.Chmod(tr.path(p), uint32(perm)); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr tree) chown(p string, uid, gid int) {
	tr.t.Helper()
	if err := os.Lchown(tr.path(p), uid, gid); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr tree) mkdir(p string, perm uint32) {
	tr.t.Helper()
	if err := os.MkdirAll(tr.path(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := syscall.Chmod(tr.path(p), perm); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr tree) socket(p string) {
	tr.t.Helper()
	if err := os.MkdirAll(filepath.Dir(tr.path(p)), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	l, err := net.Listen("unix", tr.path(p))
	if err != nil {
		tr.t.Fatalf("listening on %s: %v", tr.path(p), err)
	}
	tr.t.Cleanup(func() { l.Close() })
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown test files (CI runs as root)")
	}
}

const daemonJSON = `{
  "tlsverify": true,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/server-cert.pem",
  "tlskey": "/etc/docker/tls/server-key.pem",
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "data-root": "/srv/docker"
}`

func newTree(t *testing.T) tree {
	t.Helper()
	requireRoot(t)
	tr := tree{t: t, root: t.TempDir()}
	tr.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n", 0o644)
	tr.write("etc/group", "root:x:0:\nalice:x:1000:\ndocker:x:4242:alice\n", 0o644)
	tr.write("usr/lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd\n", 0o644)
	tr.write("usr/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\n", 0o644)
	if err := os.Symlink("usr/lib", tr.path("lib")); err != nil {
		t.Fatal(err)
	}
	tr.mkdir("etc/docker", 0o755)
	tr.write("etc/docker/daemon.json", daemonJSON, 0o644)
	tr.write("etc/docker/tls/ca.pem", "ca", 0o444)
	tr.write("etc/docker/tls/server-cert.pem", "cert", 0o444)
	tr.write("etc/docker/tls/server-key.pem", "key", 0o400)
	tr.write("etc/docker/certs.d/registry.example:5000/ca.crt", "reg", 0o444)
	tr.write("etc/default/docker", "DOCKER_OPTS=\n", 0o644)
	tr.write("etc/sysconfig/docker", "OPTIONS=\n", 0o644)
	tr.mkdir("run", 0o755)
	if err := os.MkdirAll(tr.path("var"), 0o755); err != nil {
		t.Fatal(err)
	}
	// An absolute symlink: it must resolve inside the tree, not to this
	// machine's /run.
	if err := os.Symlink("/run", tr.path("var/run")); err != nil {
		t.Fatal(err)
	}
	tr.socket("run/docker.sock")
	tr.chmod("run/docker.sock", 0o660)
	tr.chown("run/docker.sock", 0, dockerGID)
	tr.socket("run/containerd/containerd.sock")
	tr.chmod("run/containerd/containerd.sock", 0o660)
	tr.mkdir("srv/docker", 0o710)
	return tr
}

func check(t *testing.T, root string) rule.Report {
	t.Helper()
	rep, err := perms.Check(perms.Config{Root: root})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return rep
}

// status returns the status of rule id on target (file:PATH).
func status(rep rule.Report, id rule.ID, target string) (rule.Finding, bool) {
	for _, f := range rep.Findings {
		if f.Rule == id && f.Target == target {
			return f, true
		}
	}
	return rule.Finding{}, false
}

func TestCheckCorrectTreePasses(t *testing.T) {
	tr := newTree(t)
	rep := check(t, tr.root)
	want := map[perms.FileClass]string{
		perms.DockerService:    "file:/lib/systemd/system/docker.service",
		perms.DockerSocketUnit: "file:/lib/systemd/system/docker.socket",
		perms.EtcDocker:        "file:/etc/docker",
		perms.DaemonJSON:       "file:/etc/docker/daemon.json",
		perms.RegistryCerts:    "file:/etc/docker/certs.d/registry.example:5000/ca.crt",
		perms.TLSCACert:        "file:/etc/docker/tls/ca.pem",
		perms.TLSServerCert:    "file:/etc/docker/tls/server-cert.pem",
		perms.TLSServerKey:     "file:/etc/docker/tls/server-key.pem",
		perms.DockerSock:       "file:/var/run/docker.sock",
		perms.EtcDefaultDocker: "file:/etc/default/docker",
		perms.SysconfigDocker:  "file:/etc/sysconfig/docker",
		perms.ContainerdSock:   "file:/run/containerd/containerd.sock",
		perms.DataRoot:         "file:/srv/docker",
	}
	covered := map[rule.ID]bool{perms.FileConfigurationReadable: true}
	if f, ok := status(rep, perms.FileConfigurationReadable, "file:/etc/docker/daemon.json"); !ok || f.Status != rule.StatusPass {
		t.Errorf("configuration: %+v", f)
	}
	for class, target := range want {
		for _, id := range []rule.ID{class.OwnerRule(), class.ModeRule()} {
			covered[id] = true
			f, ok := status(rep, id, target)
			if !ok {
				t.Errorf("%s: no finding for %s; findings: %+v", id, target, rep.Findings)
				continue
			}
			if f.Status != rule.StatusPass {
				t.Errorf("%s %s: %s (%s; %s), want pass", id, target, f.Status, f.Reason, f.Detail)
			}
		}
	}
	if rep.Summary.Fail != 0 {
		t.Errorf("correct tree has %d failures: %+v", rep.Summary.Fail, rep.Findings)
	}
	// Every rule of the catalog was evaluated on the correct tree.
	for _, r := range perms.Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s is not covered by this test", r.ID)
		}
	}
}

func TestCheckTable(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(tr tree)
		rule   rule.ID
		target string
		want   rule.Status
		// both: the other control of the file fails too (wrong file type).
		both bool
	}{
		// "644 or stricter" is bitwise: these are numerically below 0644.
		{"daemon.json 0470 (numerically < 644)", func(tr tree) { tr.chmod("etc/docker/daemon.json", 0o470) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"daemon.json 0507 (numerically < 644)", func(tr tree) { tr.chmod("etc/docker/daemon.json", 0o507) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"daemon.json 0600", func(tr tree) { tr.chmod("etc/docker/daemon.json", 0o600) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusPass, false},
		{"daemon.json 0444", func(tr tree) { tr.chmod("etc/docker/daemon.json", 0o444) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusPass, false},
		{"daemon.json setuid 04644", func(tr tree) { tr.chmod("etc/docker/daemon.json", 0o4644) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"daemon.json owned by alice", func(tr tree) { tr.chown("etc/docker/daemon.json", 1000, 0) }, perms.DaemonJSON.OwnerRule(), "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"daemon.json group docker", func(tr tree) { tr.chown("etc/docker/daemon.json", 0, dockerGID) }, perms.DaemonJSON.OwnerRule(), "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"docker.service 0664", func(tr tree) { tr.chmod("usr/lib/systemd/system/docker.service", 0o664) }, perms.DockerService.ModeRule(), "file:/lib/systemd/system/docker.service", rule.StatusFail, false},
		{"docker.service 0470", func(tr tree) { tr.chmod("usr/lib/systemd/system/docker.service", 0o470) }, perms.DockerService.ModeRule(), "file:/lib/systemd/system/docker.service", rule.StatusFail, false},
		{"docker.socket group alice", func(tr tree) { tr.chown("usr/lib/systemd/system/docker.socket", 0, 1000) }, perms.DockerSocketUnit.OwnerRule(), "file:/lib/systemd/system/docker.socket", rule.StatusFail, false},
		{"docker.socket 0400", func(tr tree) { tr.chmod("usr/lib/systemd/system/docker.socket", 0o400) }, perms.DockerSocketUnit.ModeRule(), "file:/lib/systemd/system/docker.socket", rule.StatusPass, false},
		{"/etc/docker 0775", func(tr tree) { tr.chmod("etc/docker", 0o775) }, perms.EtcDocker.ModeRule(), "file:/etc/docker", rule.StatusFail, false},
		{"/etc/docker 0700", func(tr tree) { tr.chmod("etc/docker", 0o700) }, perms.EtcDocker.ModeRule(), "file:/etc/docker", rule.StatusPass, false},
		{"/etc/docker 0757 (numerically < 755? no; o+w)", func(tr tree) { tr.chmod("etc/docker", 0o757) }, perms.EtcDocker.ModeRule(), "file:/etc/docker", rule.StatusFail, false},
		{"registry cert 0644", func(tr tree) { tr.chmod("etc/docker/certs.d/registry.example:5000/ca.crt", 0o644) }, perms.RegistryCerts.ModeRule(), "file:/etc/docker/certs.d/registry.example:5000/ca.crt", rule.StatusFail, false},
		{"registry cert 0440", func(tr tree) { tr.chmod("etc/docker/certs.d/registry.example:5000/ca.crt", 0o440) }, perms.RegistryCerts.ModeRule(), "file:/etc/docker/certs.d/registry.example:5000/ca.crt", rule.StatusPass, false},
		{"tls ca 0644", func(tr tree) { tr.chmod("etc/docker/tls/ca.pem", 0o644) }, perms.TLSCACert.ModeRule(), "file:/etc/docker/tls/ca.pem", rule.StatusFail, false},
		{"tls cert 0404", func(tr tree) { tr.chmod("etc/docker/tls/server-cert.pem", 0o404) }, perms.TLSServerCert.ModeRule(), "file:/etc/docker/tls/server-cert.pem", rule.StatusPass, false},
		{"tls key 0440", func(tr tree) { tr.chmod("etc/docker/tls/server-key.pem", 0o440) }, perms.TLSServerKey.ModeRule(), "file:/etc/docker/tls/server-key.pem", rule.StatusFail, false},
		{"tls key 0040 (numerically < 400)", func(tr tree) { tr.chmod("etc/docker/tls/server-key.pem", 0o040) }, perms.TLSServerKey.ModeRule(), "file:/etc/docker/tls/server-key.pem", rule.StatusFail, false},
		{"tls key missing", func(tr tree) { os.Remove(tr.path("etc/docker/tls/server-key.pem")) }, perms.TLSServerKey.ModeRule(), "file:/etc/docker/tls/server-key.pem", rule.StatusSkip, false},
		{"socket 0666", func(tr tree) { tr.chmod("run/docker.sock", 0o666) }, perms.DockerSock.ModeRule(), "file:/var/run/docker.sock", rule.StatusFail, false},
		{"socket root:root 0600", func(tr tree) { tr.chown("run/docker.sock", 0, 0); tr.chmod("run/docker.sock", 0o600) }, perms.DockerSock.ModeRule(), "file:/var/run/docker.sock", rule.StatusPass, false},
		{"socket group alice", func(tr tree) { tr.chown("run/docker.sock", 0, 1000) }, perms.DockerSock.OwnerRule(), "file:/var/run/docker.sock", rule.StatusFail, false},
		// The host's docker group (if any) is not the tree's: names are
		// resolved against the tree's etc/group.
		{"socket group 105 (not docker in this tree)", func(tr tree) { tr.chown("run/docker.sock", 0, 105) }, perms.DockerSock.OwnerRule(), "file:/var/run/docker.sock", rule.StatusFail, false},
		{"socket replaced by a regular file", func(tr tree) {
			os.Remove(tr.path("run/docker.sock"))
			tr.write("run/docker.sock", "", 0o600)
		}, perms.DockerSock.ModeRule(), "file:/var/run/docker.sock", rule.StatusFail, true},
		{"containerd socket group docker", func(tr tree) { tr.chown("run/containerd/containerd.sock", 0, dockerGID) }, perms.ContainerdSock.OwnerRule(), "file:/run/containerd/containerd.sock", rule.StatusFail, false},
		{"containerd socket 0606", func(tr tree) { tr.chmod("run/containerd/containerd.sock", 0o606) }, perms.ContainerdSock.ModeRule(), "file:/run/containerd/containerd.sock", rule.StatusFail, false},
		{"/etc/default/docker 0646", func(tr tree) { tr.chmod("etc/default/docker", 0o646) }, perms.EtcDefaultDocker.ModeRule(), "file:/etc/default/docker", rule.StatusFail, false},
		{"/etc/sysconfig/docker missing", func(tr tree) { os.Remove(tr.path("etc/sysconfig/docker")) }, perms.SysconfigDocker.ModeRule(), "file:/etc/sysconfig/docker", rule.StatusSkip, false},
		{"/etc/sysconfig/docker 0470", func(tr tree) { tr.chmod("etc/sysconfig/docker", 0o470) }, perms.SysconfigDocker.ModeRule(), "file:/etc/sysconfig/docker", rule.StatusFail, false},
		{"data root 0755", func(tr tree) { tr.chmod("srv/docker", 0o755) }, perms.DataRoot.ModeRule(), "file:/srv/docker", rule.StatusFail, false},
		{"data root owned by alice", func(tr tree) { tr.chown("srv/docker", 1000, 1000) }, perms.DataRoot.OwnerRule(), "file:/srv/docker", rule.StatusFail, false},
		{"daemon.json is a directory", func(tr tree) {
			os.Remove(tr.path("etc/docker/daemon.json"))
			tr.mkdir("etc/docker/daemon.json", 0o755)
		}, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusFail, true},
		{"daemon.json missing", func(tr tree) { os.Remove(tr.path("etc/docker/daemon.json")) }, perms.DaemonJSON.ModeRule(), "file:/etc/docker/daemon.json", rule.StatusSkip, false},
		{"daemon.json unparseable", func(tr tree) { tr.write("etc/docker/daemon.json", "{not json", 0o644) }, perms.FileConfigurationReadable, "file:/etc/docker/daemon.json", rule.StatusFail, false},
		{"docker.service missing everywhere", func(tr tree) { os.Remove(tr.path("usr/lib/systemd/system/docker.service")) }, perms.DockerService.ModeRule(), "file:/lib/systemd/system/docker.service", rule.StatusSkip, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTree(t)
			tc.mutate(tr)
			rep := check(t, tr.root)
			f, ok := status(rep, tc.rule, tc.target)
			if !ok {
				t.Fatalf("no %s finding for %s; findings: %+v", tc.rule, tc.target, rep.Findings)
			}
			if f.Status != tc.want {
				t.Fatalf("%s %s: %s (%s; %s), want %s", tc.rule, tc.target, f.Status, f.Reason, f.Detail, tc.want)
			}
			if f.Status == rule.StatusSkip && f.Reason == "" {
				t.Error("a skip must say why")
			}
			if f.Status == rule.StatusFail && f.Remediation == "" {
				t.Error("a failure must carry the remediation")
			}
			if len(f.CIS) > 1 {
				t.Errorf("%s cites %v: one CIS control per finding", f.Rule, f.CIS)
			}
			// The file's other control is judged on its own: a wrong owner
			// never fails the permissions control, nor the reverse.
			class, ok := perms.ClassOf(tc.rule)
			if !ok {
				return
			}
			sib := class.OwnerRule()
			if sib == tc.rule {
				sib = class.ModeRule()
			}
			wantSib := rule.StatusPass
			switch {
			case tc.want == rule.StatusSkip:
				wantSib = rule.StatusSkip
			case tc.both:
				wantSib = rule.StatusFail
			}
			sf, _ := status(rep, sib, tc.target)
			if sf.Status != wantSib {
				t.Errorf("other control %s: %s (%s), want %s", sib, sf.Status, sf.Reason, wantSib)
			}
			if f.Status != rule.StatusSkip && !strings.Contains(f.Detail, strings.TrimPrefix(tc.target, "file:")) {
				t.Errorf("detail %q does not name the file", f.Detail)
			}
		})
	}
}

func TestStricterIsBitwise(t *testing.T) {
	for _, tc := range []struct {
		perm, max uint32
		want      bool
	}{
		{0o644, 0o644, true}, {0o600, 0o644, true}, {0o444, 0o644, true}, {0o000, 0o644, true},
		{0o470, 0o644, false}, {0o507, 0o644, false}, {0o001, 0o644, false}, {0o4644, 0o644, false},
		{0o660, 0o660, true}, {0o606, 0o660, false}, {0o400, 0o400, true}, {0o040, 0o400, false},
	} {
		if got := perms.Stricter(tc.perm, tc.max); got != tc.want {
			t.Errorf("Stricter(%04o, %04o) = %v, want %v", tc.perm, tc.max, got, tc.want)
		}
	}
}
