package runspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

var update = flag.Bool("update", false, "rewrite the failing fixtures in testdata/fail")

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

// The catalog validates itself and every rule has its apply.
func TestCatalog(t *testing.T) {
	if err := Rules().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := checks.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := validApplies(); err != nil {
		t.Fatal(err)
	}
	shared := rule.ContainerRules()
	for _, r := range Rules() {
		if strings.HasPrefix(string(r.ID), "container.") {
			want, ok := shared.Lookup(r.ID)
			if !ok {
				t.Errorf("%s: container.* ID not in rule.ContainerRules", r.ID)
			} else if want.Title != r.Title || want.Severity != r.Severity {
				t.Errorf("%s: metadata differs from rule.ContainerRules", r.ID)
			}
		} else if !strings.HasPrefix(string(r.ID), "spec.") {
			t.Errorf("%s: OCI-only rules live in area spec.", r.ID)
		}
	}
}

func loadFixture(t *testing.T, name string) *specs.Spec {
	t.Helper()
	s, _, _, err := LoadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func statusOf(fs []rule.Finding, id rule.ID) rule.Finding {
	for _, f := range fs {
		if f.Rule == id {
			return f
		}
	}
	return rule.Finding{}
}

// allowedAfterApply: what a hardened spec may still report besides pass.
// host-userns warns unless a user namespace was asked for; AppArmor and
// SELinux skip (or warn) depending on the host.
func allowedAfterApply(f rule.Finding) bool {
	switch f.Status {
	case rule.StatusPass:
		return true
	case rule.StatusWarn:
		return f.Rule == rule.ContainerHostUserns || f.Rule == rule.ContainerAppArmor || f.Rule == rule.ContainerSELinux
	case rule.StatusSkip:
		return f.Rule == rule.ContainerAppArmor || f.Rule == rule.ContainerSELinux
	}
	return false
}

// TestSymmetryApplyPasses: what Apply builds, Check passes, for every rule
// in the table, from several starting points.
func TestSymmetryApplyPasses(t *testing.T) {
	starts := map[string]func(t *testing.T) *specs.Spec{
		"zero":          func(*testing.T) *specs.Spec { return &specs.Spec{} },
		"runc-spec":     func(t *testing.T) *specs.Spec { return loadFixture(t, "runc-spec.json") },
		"runc-rootless": func(t *testing.T) *specs.Spec { return loadFixture(t, "runc-spec-rootless.json") },
		"docker-plain":  func(t *testing.T) *specs.Spec { return loadFixture(t, "docker-20.10-default.json") },
		"docker-hard":   func(t *testing.T) *specs.Spec { return loadFixture(t, "docker-20.10-hardened.json") },
	}
	userns := WithUserNamespace([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}},
		[]specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}})
	for name, start := range starts {
		for _, withUserns := range []bool{false, true} {
			t.Run(name+map[bool]string{true: "+userns"}[withUserns], func(t *testing.T) {
				spec := start(t)
				opts := []Option{WithTmpfs("/tmp", 16<<20), WithAddedCapabilities("NET_BIND_SERVICE")}
				if withUserns {
					opts = append(opts, userns)
				}
				if err := Apply(spec, opts...); err != nil {
					t.Fatal(err)
				}
				fs := Check(spec)
				if len(fs) != len(checks) {
					t.Fatalf("Check returned %d findings for %d rules", len(fs), len(checks))
				}
				for _, f := range fs {
					if !allowedAfterApply(f) || (withUserns && f.Rule == rule.ContainerHostUserns && f.Status != rule.StatusPass) {
						t.Errorf("%s after Apply: %s: %s (%s)", f.Rule, f.Status, f.Reason, f.Detail)
					}
				}
				// Idempotent: applying again changes nothing.
				before, _ := json.Marshal(spec)
				if err := Apply(spec, opts...); err != nil {
					t.Fatal(err)
				}
				after, _ := json.Marshal(spec)
				if !bytes.Equal(before, after) {
					t.Error("a second Apply changed the spec")
				}
			})
		}
	}
}

// base is the hardened spec the failing fixtures start from: small (a
// two-rule seccomp filter instead of Docker's profile) and passing.
func base(t *testing.T) *specs.Spec {
	t.Helper()
	spec := &specs.Spec{
		Process: &specs.Process{Args: []string{"/probe", "status"}, Cwd: "/"},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		},
		Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{
			DefaultAction: specs.ActErrno,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"read", "write", "exit_group"}, Action: specs.ActAllow}},
		}},
	}
	if err := Apply(spec, WithTmpfs("/tmp", 1<<20), WithUser("1000:1000")); err != nil {
		t.Fatal(err)
	}
	return spec
}

func setNS(spec *specs.Spec, typ specs.LinuxNamespaceType, p string, remove bool) {
	spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == typ })
	if !remove {
		spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: typ, Path: p})
	}
}

// breakers make a hardened spec fail exactly one rule.
var breakers = map[rule.ID]func(*specs.Spec){
	SpecMountNamespace:         func(s *specs.Spec) { setNS(s, "mount", "", true) },
	rule.ContainerHostNetwork:  func(s *specs.Spec) { setNS(s, "network", "/proc/1/ns/net", false) },
	rule.ContainerHostPID:      func(s *specs.Spec) { setNS(s, "pid", "", true) },
	rule.ContainerHostIPC:      func(s *specs.Spec) { setNS(s, "ipc", "", true) },
	rule.ContainerHostUTS:      func(s *specs.Spec) { setNS(s, "uts", "/proc/1/ns/uts", false) },
	rule.ContainerHostUserns:   func(s *specs.Spec) { setNS(s, "user", "/proc/1/ns/user", false) },
	rule.ContainerNonRootUser:  func(s *specs.Spec) { s.Process.User = specs.User{UID: 0, GID: 0} },
	rule.ContainerCapabilities: func(s *specs.Spec) { s.Process.Capabilities.Bounding = []string{"CAP_CHOWN"} },
	rule.ContainerNoNewPrivileges: func(s *specs.Spec) {
		s.Process.NoNewPrivileges = false
	},
	rule.ContainerSeccomp:  func(s *specs.Spec) { s.Linux.Seccomp = nil },
	rule.ContainerAppArmor: func(s *specs.Spec) { s.Process.ApparmorProfile = "unconfined" },
	rule.ContainerSELinux:  func(s *specs.Spec) { s.Process.SelinuxLabel = "system_u:system_r:spc_t:s0" },
	rule.ContainerReadOnlyRootfs: func(s *specs.Spec) {
		s.Root.Readonly = false
	},
	rule.ContainerDockerSocket: func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/var/run/docker.sock", Type: "bind", Source: "/var/run/docker.sock", Options: []string{"rbind", "ro"}})
	},
	rule.ContainerSensitiveMounts: func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/host-etc", Type: "bind", Source: "/etc", Options: []string{"rbind", "rw"}})
	},
	rule.ContainerMountPropagation: func(s *specs.Spec) { s.Linux.RootfsPropagation = "rshared" },
	rule.ContainerTmpfsFlags: func(s *specs.Spec) {
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/run", Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "nosuid"}})
	},
	SpecMaskedPaths: func(s *specs.Spec) { s.Linux.MaskedPaths = nil },
	rule.ContainerHostDevices: func(s *specs.Spec) {
		s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/sda", Type: "b", Major: 8, Minor: 0}}
	},
	rule.ContainerMemoryLimit: func(s *specs.Spec) { s.Linux.Resources.Memory = nil },
	rule.ContainerCPUShares: func(s *specs.Spec) {
		v := uint64(1024)
		s.Linux.Resources.CPU.Shares = &v
	},
	rule.ContainerPidsLimit: func(s *specs.Spec) { s.Linux.Resources.Pids = nil },
	SpecRlimits: func(s *specs.Spec) {
		s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: math.MaxUint64}}
	},
	rule.ContainerNoSSHD: func(s *specs.Spec) { s.Process.Args = []string{"/usr/sbin/sshd", "-D"} },
}

func fixturePath(id rule.ID) string { return filepath.Join("testdata", "fail", string(id)+".json") }

// TestFailingFixtures: every rule in the table has a fixture in
// testdata/fail that fails that rule (and only that one); Apply either
// refuses it with a Violation naming the rule or repairs it; with a waiver
// the rule is reported waived. Run with -update to regenerate the fixtures.
func TestFailingFixtures(t *testing.T) {
	if *update {
		if err := os.MkdirAll(filepath.Join("testdata", "fail"), 0o755); err != nil {
			t.Fatal(err)
		}
		for id, brk := range breakers {
			s := base(t)
			brk(s)
			b, err := json.MarshalIndent(s, "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fixturePath(id), append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range checks {
		id := c.Rule.ID
		t.Run(string(id), func(t *testing.T) {
			if _, ok := breakers[id]; !ok {
				t.Fatalf("no breaker for %s: add one and run with -update", id)
			}
			spec, p, _, err := LoadFile(fixturePath(id))
			if err != nil {
				t.Fatalf("%v (run go test -run TestFailingFixtures -update)", err)
			}
			for _, f := range Check(spec) {
				if f.Rule == id && f.Status != rule.StatusFail {
					t.Errorf("%s: fixture %s: got %s (%s), want fail", id, p, f.Status, f.Reason)
				}
				if f.Rule != id && !allowedAfterApply(f) {
					t.Errorf("%s: fixture also breaks %s: %s (%s)", id, f.Rule, f.Reason, f.Detail)
				}
			}

			// Apply refuses with a Violation for this rule, or repairs it.
			fixed, _ := clone(spec)
			if err := Apply(fixed); err != nil {
				var v *rule.Violation
				if !errors.As(err, &v) || v.Rule != id {
					t.Errorf("Apply: %v, want a *rule.Violation for %s", err, id)
				}
				if f, _ := clone(spec); !equalJSON(t, f, spec) {
					t.Error("Apply changed the spec although it failed")
				}
			} else if f := statusOf(Check(fixed), id); f.Status != rule.StatusPass {
				t.Errorf("Apply repaired nothing: %s %s", f.Status, f.Reason)
			}

			// A waiver lets it through and is reported as waived.
			waived, _ := clone(spec)
			err = Apply(waived, Waive(id, "fixture test"))
			if id == rule.ContainerDockerSocket {
				if err == nil {
					t.Error("docker socket waived, want refusal")
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply with waiver: %v", err)
			}
			if f := statusOf(Check(waived), id); f.Status != rule.StatusWaived || !strings.Contains(f.Reason, "fixture test") {
				t.Errorf("with waiver: %s %q, want waived", f.Status, f.Reason)
			}
		})
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestApplyRefusesLoosening(t *testing.T) {
	cases := map[string]struct {
		opts []Option
		rule rule.ID
	}{
		"root user":        {[]Option{WithUser("0:0")}, rule.ContainerNonRootUser},
		"sys admin":        {[]Option{WithAddedCapabilities("SYS_ADMIN")}, rule.ContainerCapabilities},
		"apparmor":         {[]Option{WithAppArmorProfile("unconfined")}, rule.ContainerAppArmor},
		"selinux spc_t":    {[]Option{WithSELinuxLabel("system_u:system_r:spc_t:s0")}, rule.ContainerSELinux},
		"unconfined_t":     {[]Option{WithSELinuxLabel("u:r:unconfined_t:s0")}, rule.ContainerSELinux},
		"sys admin (case)": {[]Option{WithAddedCapabilities("cap_sys_admin")}, rule.ContainerCapabilities},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			spec := &specs.Spec{}
			err := Apply(spec, c.opts...)
			var v *rule.Violation
			if !errors.As(err, &v) || v.Rule != c.rule {
				t.Fatalf("got %v, want violation of %s", err, c.rule)
			}
			if spec.Process != nil {
				t.Error("spec changed on error")
			}
			if err := Apply(spec, append(c.opts, Waive(c.rule, "needed by the test"))...); err != nil {
				t.Fatalf("with waiver: %v", err)
			}
			if f := statusOf(Check(spec), c.rule); f.Status != rule.StatusWaived && f.Status != rule.StatusPass {
				t.Errorf("with waiver: %s, want waived", f.Status)
			}
		})
	}
}

func TestOptionValidation(t *testing.T) {
	bad := map[string]Option{
		"pids 0":            WithPidsLimit(0),
		"pids negative":     WithPidsLimit(-1),
		"memory tiny":       WithMemory(1024),
		"cpu 1024":          WithCPUShares(1024),
		"cpu 0":             WithCPUShares(0),
		"rlimit unknown":    WithRlimit("RLIMIT_BOGUS", 1, 1),
		"rlimit soft>hard":  WithRlimit("RLIMIT_NOFILE", 10, 1),
		"tmpfs relative":    WithTmpfs("tmp", 1),
		"tmpfs root":        WithTmpfs("/", 1),
		"tmpfs size":        WithTmpfs("/tmp", 0),
		"tmpfs comma":       WithTmpfs("/tmp,exec", 1),
		"cap unknown":       WithAddedCapabilities("CAP_FLY"),
		"cap all":           WithAddedCapabilities("ALL"),
		"ambient not added": WithAddedAmbientCapabilities("NET_BIND_SERVICE"),
		"userns host root":  WithUserNamespace([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 1}}, []specs.LinuxIDMapping{{HostID: 1000, Size: 1}}),
		"userns empty":      WithUserNamespace(nil, nil),
		"userns size 0":     WithUserNamespace([]specs.LinuxIDMapping{{HostID: 1000}}, []specs.LinuxIDMapping{{HostID: 1000, Size: 1}}),
		"masked relative":   WithAddedMaskedPaths("proc/kcore"),
		"readonly relative": WithAddedReadOnlyPaths(""),
		"waive unknown":     Waive("container.restart-policy", "not an OCI rule"),
		"waive no reason":   Waive(rule.ContainerPidsLimit, " "),
		"waive socket":      Waive(rule.ContainerDockerSocket, "never"),
		"selinux short":     WithSELinuxLabel("container_t"),
		"apparmor empty":    WithAppArmorProfile(""),
	}
	for name, o := range bad {
		if err := Apply(&specs.Spec{}, o); err == nil {
			t.Errorf("%s: Apply accepted it", name)
		} else if err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
			t.Errorf("%s: error not lower-case: %v", name, err)
		}
	}
	if err := Apply(nil); err == nil {
		t.Error("Apply(nil) succeeded")
	}
}

func TestApplyValues(t *testing.T) {
	spec := &specs.Spec{}
	err := Apply(spec,
		WithUser("1000:1001"), WithPidsLimit(42), WithMemory(64<<20), WithCPUShares(300),
		WithAddedCapabilities("NET_BIND_SERVICE"), WithAddedAmbientCapabilities("CAP_NET_BIND_SERVICE"),
		WithRlimit("RLIMIT_NOFILE", 100, 200), WithAddedMaskedPaths("/proc/foo"), WithAddedReadOnlyPaths("/proc/bar"))
	if err != nil {
		t.Fatal(err)
	}
	c := spec.Process.Capabilities
	if spec.Process.User.UID != 1000 || spec.Process.User.GID != 1001 || *spec.Linux.Resources.Pids.Limit != 42 ||
		*spec.Linux.Resources.Memory.Limit != 64<<20 || *spec.Linux.Resources.CPU.Shares != 300 ||
		!slices.Equal(c.Bounding, []string{"CAP_NET_BIND_SERVICE"}) || !slices.Equal(c.Ambient, []string{"CAP_NET_BIND_SERVICE"}) ||
		!slices.Contains(spec.Linux.MaskedPaths, "/proc/foo") || !slices.Contains(spec.Linux.ReadonlyPaths, "/proc/bar") ||
		!spec.Root.Readonly || !spec.Process.NoNewPrivileges || spec.Linux.Seccomp == nil {
		b, _ := json.MarshalIndent(spec, "", " ")
		t.Fatalf("values not applied:\n%s", b)
	}
	if r, _ := findRlimit(spec, "RLIMIT_NOFILE"); r.Soft != 100 || r.Hard != 200 {
		t.Errorf("rlimit %+v", r)
	}
}

func TestReadConfigErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/runc-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		in   string
		want string
	}{
		"unknown top":    {`{"ociVersion":"1.0.2","bogus":1}`, `unknown field "bogus"`},
		"unknown nested": {`{"ociVersion":"1.0.2","process":{"cwd":"/","privileged":true}}`, `unknown field "privileged"`},
		"trailing":       {string(good) + `{}`, "trailing data"},
		"garbage":        {`not json`, "invalid character"},
		"wrong type":     {`{"ociVersion":"1.0.2","root":"rootfs"}`, "cannot unmarshal"},
		"no version":     {`{"process":{"cwd":"/"}}`, "no ociVersion"},
		"version 2":      {`{"ociVersion":"2.0.0"}`, "not 1.x"},
		"daemon.json":    {`{"icc":false,"log-level":"info"}`, `unknown field "icc"`},
		"empty":          {``, "EOF"},
		"too big":        {`{"ociVersion":"1.0.2","hostname":"` + strings.Repeat("a", MaxConfigSize) + `"}`, "larger than"},
	}
	for name, c := range cases {
		_, err := ReadConfig(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", name, err, c.want)
		}
		if err != nil && name != "too big" && !errors.Is(err, ErrNotSpec) {
			t.Errorf("%s: error does not wrap ErrNotSpec: %v", name, err)
		}
	}
	if _, err := ReadConfig(bytes.NewReader(good)); err != nil {
		t.Errorf("runc spec output: %v", err)
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile("testdata/docker-20.10-default.json")
	if err := os.WriteFile(filepath.Join(dir, "config.json"), good, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := CheckFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "spec:" + filepath.Join(dir, "config.json")
	for _, f := range rep.Findings {
		if f.Target != want {
			t.Fatalf("target %q, want %q", f.Target, want)
		}
	}
	for _, id := range []rule.ID{rule.ContainerCapabilities, rule.ContainerReadOnlyRootfs, rule.ContainerNoNewPrivileges, rule.ContainerNonRootUser} {
		if statusOf(rep.Findings, id).Status != rule.StatusFail {
			t.Errorf("docker default spec: %s not failing", id)
		}
	}

	// A symlinked config.json is refused.
	link := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "config.json"), filepath.Join(link, "config.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckFile(link); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("symlink: %v", err)
	}
	// Not a regular file.
	fifo := filepath.Join(t.TempDir(), "config.json")
	if err := mkfifo(fifo); err == nil {
		if _, err := CheckFile(fifo); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("fifo: %v", err)
		}
	}
	if _, err := CheckFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file accepted")
	}
	if _, err := CheckFile(""); err == nil {
		t.Error("empty path accepted")
	}
}

func TestCheckNeverPanics(t *testing.T) {
	odd := []*specs.Spec{
		nil, {}, {Process: &specs.Process{}}, {Linux: &specs.Linux{}},
		{Linux: &specs.Linux{Resources: &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true}}}}},
		{Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}}},
		{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: "user"}}, UIDMappings: []specs.LinuxIDMapping{{ContainerID: math.MaxUint32, HostID: math.MaxUint32, Size: math.MaxUint32}}}},
	}
	for _, s := range odd {
		fs := Check(s)
		if len(fs) != len(checks) {
			t.Errorf("got %d findings", len(fs))
		}
	}
}

func TestWaiverAnnotationHonored(t *testing.T) {
	spec := loadFixture(t, "fail/container.pids-limit.json")
	spec.Annotations = map[string]string{}
	spec.Annotations[AnnotationWaiverPrefix+string(rule.ContainerPidsLimit)] = "bounded by the pod"
	spec.Annotations[AnnotationWaiverPrefix+string(rule.ContainerDockerSocket)] = "a config.json cannot waive this"
	if f := statusOf(Check(spec), rule.ContainerPidsLimit); f.Status != rule.StatusWaived {
		t.Errorf("got %s", f.Status)
	}
	// Apply does not take waivers from the file: it enforces again.
	if err := Apply(spec); err != nil {
		t.Fatal(err)
	}
	if f := statusOf(Check(spec), rule.ContainerPidsLimit); f.Status != rule.StatusPass {
		t.Errorf("after Apply: %s", f.Status)
	}
	if _, ok := spec.Annotations[AnnotationWaiverPrefix+string(rule.ContainerPidsLimit)]; ok {
		t.Error("stale waiver annotation kept")
	}
}

// FuzzReadConfig: the strict reader never panics; whatever it accepts,
// Check judges fully, and Apply either refuses it without touching it or
// hardens it so that nothing fails. New inputs are slow to minimize (Apply
// builds a seccomp profile); run with -fuzzminimizetime=1s.
func FuzzReadConfig(f *testing.F) {
	for _, name := range []string{"runc-spec.json", "runc-spec-rootless.json", "fail/container.host-devices.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"ociVersion":"1.0.0"}`))
	f.Add([]byte(`{"ociVersion":"1.0.0","linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":4294967295,"hostID":4294967295,"size":4294967295}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := ReadConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		fs := Check(spec)
		if len(fs) != len(checks) {
			t.Fatalf("%d findings", len(fs))
		}
		before, _ := json.Marshal(spec)
		if err := Apply(spec); err != nil {
			after, _ := json.Marshal(spec)
			if !bytes.Equal(before, after) {
				t.Fatal("failed Apply changed the spec")
			}
			return
		}
		for _, f := range Check(spec) {
			if f.Status == rule.StatusFail {
				t.Fatalf("after Apply %s fails: %s", f.Rule, f.Detail)
			}
		}
	})
}
