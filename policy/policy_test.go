package policy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/safedock/safedock/policy"
)

func TestCapabilities(t *testing.T) {
	caps := policy.Capabilities()
	if len(caps) != 41 {
		t.Errorf("%d capabilities, want Linux 6.x's 41", len(caps))
	}
	for _, want := range []string{"CHOWN", "PERFMON", "BPF", "CHECKPOINT_RESTORE"} {
		if !slices.Contains(caps, want) {
			t.Errorf("%s missing", want)
		}
	}
	sorted := slices.Clone(caps)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(caps) {
		t.Error("duplicate capabilities")
	}
	caps[0] = "CHANGED"
	if policy.Capabilities()[0] == "CHANGED" {
		t.Error("Capabilities returns the package's own slice")
	}
}

func TestDangerousCapabilities(t *testing.T) {
	ds := policy.DangerousCapabilities()
	for _, d := range ds {
		if !policy.IsCapability(d.Name) || d.Name != policy.NormalizeCapability(d.Name) {
			t.Errorf("%q: not a canonical capability name", d.Name)
		}
		if strings.TrimSpace(d.Reason) == "" {
			t.Errorf("%s: no reason", d.Name)
		}
		if !policy.IsDangerousCapability("cap_" + strings.ToLower(d.Name)) {
			t.Errorf("%s: IsDangerousCapability misses its lower-case CAP_ form", d.Name)
		}
	}
	// The decisions of issue 14: one list, the union of what hardening and
	// runspec each refused.
	for _, c := range []string{"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "SYS_BOOT", "SYS_TIME",
		"NET_ADMIN", "DAC_READ_SEARCH", "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON", "SYSLOG", "LINUX_IMMUTABLE",
		"SYS_RESOURCE", "AUDIT_CONTROL", "SYS_TTY_CONFIG", "CHECKPOINT_RESTORE"} {
		if !policy.IsDangerousCapability(c) {
			t.Errorf("%s should be dangerous", c)
		}
	}
	for _, c := range []string{"NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID", "KILL", "NET_RAW", "AUDIT_WRITE"} {
		if policy.IsDangerousCapability(c) {
			t.Errorf("%s should not be dangerous", c)
		}
	}
	ds[0].Name = "CHANGED"
	if policy.DangerousCapabilities()[0].Name == "CHANGED" {
		t.Error("DangerousCapabilities returns the package's own slice")
	}
}

func TestParseCapability(t *testing.T) {
	for in, want := range map[string]string{"CAP_NET_RAW": "NET_RAW", "net_raw": "NET_RAW", " NET_RAW ": "NET_RAW", "all": "ALL", "ALL": "ALL", "cap_bpf": "BPF"} {
		if got, err := policy.ParseCapability(in); err != nil || got != want {
			t.Errorf("ParseCapability(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "CAP_", "FLY", "CAP_ALL_THE_THINGS"} {
		if _, err := policy.ParseCapability(in); err == nil {
			t.Errorf("ParseCapability(%q) accepted", in)
		}
	}
}

func TestSensitiveDir(t *testing.T) {
	for p, want := range map[string]string{
		"/": "/", "/etc": "/etc", "/etc/ssl/": "/etc", "/etcetera": "", "/usr/local": "/usr", "/srv": "",
		"/var/run/x": "", "/proc/1": "/proc", "//dev//sda": "/dev", "/lib/modules": "/lib",
	} {
		if got := policy.SensitiveDir(p); got != want {
			t.Errorf("SensitiveDir(%q) = %q, want %q", p, got, want)
		}
	}
	for p, want := range map[string]string{
		"/bin/sh": "/usr/bin/sh", "/lib64": "/usr/lib64", "/var/run/docker.sock": "/run/docker.sock", "/binary": "/binary", "etc": "/etc",
	} {
		if got := policy.FoldAliases(p); got != want {
			t.Errorf("FoldAliases(%q) = %q, want %q", p, got, want)
		}
	}
	if policy.SensitiveDir(policy.FoldAliases("/sbin")) != "/usr" {
		t.Error("/sbin as written is /usr/sbin on a merged-/usr host")
	}
}

func TestListsAreCopies(t *testing.T) {
	for name, f := range map[string]func() []string{
		"SensitivePaths": policy.SensitivePaths, "UsrMergeAliases": policy.UsrMergeAliases,
		"EngineSocketPatterns": policy.EngineSocketPatterns, "EngineSocketNames": policy.EngineSocketNames,
		"TmpfsFlags": policy.TmpfsFlags,
	} {
		l := f()
		if len(l) == 0 {
			t.Errorf("%s: empty", name)
			continue
		}
		l[0] = "changed"
		if f()[0] == "changed" {
			t.Errorf("%s returns the package's own slice", name)
		}
	}
}

func TestDefaults(t *testing.T) {
	if policy.MinMemory != 6<<20 || policy.DefaultMemory < policy.MinMemory {
		t.Errorf("memory floor %d, default %d", policy.MinMemory, policy.DefaultMemory)
	}
	if policy.DefaultCPUShares < policy.MinCPUShares || policy.DefaultCPUShares > policy.MaxCPUShares || policy.DefaultCPUShares == policy.UnsetCPUShares {
		t.Errorf("cpu shares default %d out of range", policy.DefaultCPUShares)
	}
	for _, f := range policy.TmpfsFlags() {
		if !strings.Contains(policy.DefaultTmpfs, f) {
			t.Errorf("DefaultTmpfs %q lacks %s", policy.DefaultTmpfs, f)
		}
	}
	if policy.DefaultUser != "65534:65534" || policy.DefaultUID != 65534 || policy.DefaultGID != 65534 {
		t.Error("the default user is nobody, 65534:65534")
	}
}

func TestEngineSocketAt(t *testing.T) {
	type want struct {
		socket   string
		self, ok bool
	}
	for p, w := range map[string]want{
		"/var/run/docker.sock":        {"/run/docker.sock", true, true},
		"/srv/x/podman.sock":          {"/srv/x/podman.sock", true, true},
		"/run":                        {"/run/docker.sock", false, true},
		"/":                           {"/run/docker.sock", false, true},
		"/var":                        {"/var/run/docker.sock", false, true},
		"/run/user/1000":              {"/run/user/*/docker.sock", false, true},
		"/run/user/1000/podman":       {"/run/user/*/podman/podman.sock", false, true},
		"/run/containerd":             {"/run/containerd/containerd.sock", false, true},
		"/run/lock":                   {},
		"/runx":                       {},
		"/srv/docker.socket":          {},
		"/run/user/1000/docker.sock/": {"/run/user/1000/docker.sock", true, true},
	} {
		s, self, ok := policy.EngineSocketAt(p)
		if (want{s, self, ok}) != w {
			t.Errorf("EngineSocketAt(%q) = %q, %v, %v; want %+v", p, s, self, ok, w)
		}
	}
}
