package daemonconf_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
	"github.com/safedock/safedock/rule"
)

func TestMain(m *testing.M) { os.Exit(dockertest.Main(m)) }

func TestCatalogValidates(t *testing.T) {
	if err := daemonconf.Rules().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestGeneratePassesItsOwnRules(t *testing.T) {
	out, err := daemonconf.Generate(daemonconf.WithTLS("/etc/docker/tls/ca.pem", "/etc/docker/tls/cert.pem", "/etc/docker/tls/key.pem", "127.0.0.1:2376"),
		daemonconf.WithCgroupParent("docker-safe"), daemonconf.WithAuthorizationPlugins("authz"))
	if err != nil {
		t.Fatal(err)
	}
	res := daemonconf.Validate(out, daemonconf.Options{})
	if !res.OK() {
		t.Fatalf("generated file rejected: %v", res.Err())
	}
	for _, f := range res.Findings {
		if f.Status == rule.StatusFail {
			t.Errorf("generated file fails %s: %s (%s)", f.Rule, f.Reason, f.Detail)
		}
	}
	if strings.Contains(string(out), "disable-legacy-registry") {
		t.Error("generated the removed disable-legacy-registry key")
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	for name, o := range map[string]daemonconf.Option{
		"syslog scheme": daemonconf.WithSyslog("http://x:514"),
		"relative tls":  daemonconf.WithTLS("ca.pem", "/c", "/k", "127.0.0.1:2376"),
		"waive icc":     daemonconf.Waive(daemonconf.DaemonICC, "because"),
		"nofile":        daemonconf.WithDefaultNofile(10, 5),
	} {
		if _, err := daemonconf.Generate(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestValidateCases(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		ver        string
		args       []string
		code       daemonconf.Code
		refuse     bool
	}{
		{"graph removed in 23", `{"graph": "/x"}`, "23.0", nil, daemonconf.CodeRemovedKey, true},
		{"graph fine in 20.10", `{"graph": "/x"}`, "20.10", nil, daemonconf.CodeDeprecatedKey, false},
		{"new key on old engine", `{"log-format": "json"}`, "20.10", nil, daemonconf.CodeNewKey, true},
		{"new key on new engine", `{"log-format": "json"}`, "27.1", nil, "", false},
		{"trailing data 20.10", `{} {}`, "20.10", nil, daemonconf.CodeTrailingData, false},
		{"trailing data 23", `{} {}`, "23.0", nil, daemonconf.CodeTrailingData, true},
		{"unconfined 27", `{"seccomp-profile": "unconfined"}`, "27.0", nil, "", false},
		{"icc needs iptables", `{"icc": false, "iptables": false}`, "", nil, daemonconf.CodeConflict, true},
		{"registry-mirror ignored", `{"registry-mirror": ["https://m"]}`, "", nil, daemonconf.CodeIgnoredKey, false},
		{"debug flag conflict", `{"debug": true}`, "", []string{"-D"}, daemonconf.CodeFlagConflict, true},
		{"glued short flag", `{"hosts": ["unix:///x.sock"]}`, "", []string{"-Hfd://"}, daemonconf.CodeFlagConflict, true},
		{"duplicate", `{"icc": true, "icc": false}`, "", nil, daemonconf.CodeDuplicateKey, false},
		{"comment", "{\n // x\n}", "", nil, daemonconf.CodeSyntax, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ver daemonconf.Version
			if tc.ver != "" {
				var err error
				if ver, err = daemonconf.ParseVersion(tc.ver); err != nil {
					t.Fatal(err)
				}
			}
			res := daemonconf.Validate([]byte(tc.file), daemonconf.Options{Version: ver, DockerdArgs: tc.args})
			if res.Refused() != tc.refuse {
				t.Errorf("refused = %v, want %v: %v", res.Refused(), tc.refuse, res.Problems)
			}
			if tc.code != "" {
				found := false
				for _, p := range res.Problems {
					found = found || p.Code == tc.code
				}
				if !found {
					t.Errorf("no %s problem in %v", tc.code, res.Problems)
				}
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(path, []byte(`{"icc": true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	good, err := daemonconf.Generate()
	if err != nil {
		t.Fatal(err)
	}
	res, err := daemonconf.Write(path, good, daemonconf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(res.Backup); string(b) != `{"icc": true}` {
		t.Errorf("backup holds %q", b)
	}
	// 0600 is stricter than CIS 3.18's 644: it is kept, never loosened.
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || res.Perm != 0o600 {
		t.Errorf("mode %v (result %v), err %v; want 0600 kept", fi.Mode(), res.Perm, err)
	}
	if bi, err := os.Stat(res.Backup); err != nil || bi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, err %v; want the original's 0600", bi.Mode(), err)
	}
	// A new file is 0644.
	fresh := filepath.Join(dir, "fresh.json")
	if res, err := daemonconf.Write(fresh, good, daemonconf.Options{}); err != nil || res.Backup != "" || res.Perm != 0o644 {
		t.Errorf("new file: %+v %v", res, err)
	}
	if _, err := daemonconf.Write(path, []byte(`{"disable-legacy-registry": true}`), daemonconf.Options{}); !errors.Is(err, daemonconf.ErrRejected) {
		t.Errorf("rejected file written: %v", err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := daemonconf.Write(link, good, daemonconf.Options{}); !errors.Is(err, daemonconf.ErrSymlink) {
		t.Errorf("wrote through a symlink: %v", err)
	}
}

func TestNewClientRefusesPlainTCP(t *testing.T) {
	if _, err := daemonconf.NewClient(daemonconf.ClientOptions{Host: "tcp://127.0.0.1:2375"}); !errors.Is(err, daemonconf.ErrPlainTCP) {
		t.Fatalf("plain tcp accepted: %v", err)
	}
	w := rule.Waivers{}
	if err := w.Waive(daemonconf.DaemonTLS, "isolated lab network"); err != nil {
		t.Fatal(err)
	}
	c, err := daemonconf.NewClient(daemonconf.ClientOptions{Host: "tcp://127.0.0.1:2375", Waivers: w})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{`{}`, `{"icc":false}`, `{"log-opts":{"max-file":3}}`, "\xef\xbb\xbf{}", `{"a":[1,{"b":null}]} x`, `{"default-ulimits":{"nofile":{"Soft":5,"Hard":1}}}`, `{"runtimes":{"x":{"path":1}}}`} {
		f.Add([]byte(s), "-H fd://")
	}
	f.Fuzz(func(t *testing.T, data []byte, args string) {
		res := daemonconf.Validate(data, daemonconf.Options{DockerdArgs: strings.Fields(args)})
		_ = res.Report()
		if res.Refused() && res.OK() {
			t.Fatal("refused but OK")
		}
	})
}

func FuzzHarden(f *testing.F) {
	f.Add([]byte(`{"icc": true, "iptables": false}`))
	f.Add([]byte(`{"log-opts": {"max-size": "1m"}, "insecure-registries": ["x"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _, err := daemonconf.Harden(data, daemonconf.Options{})
		if err == nil && !daemonconf.Validate(out, daemonconf.Options{}).OK() {
			t.Fatalf("Harden returned a rejected file: %s", out)
		}
	})
}
