package daemonconf_test

import (
	"strings"
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/rule"
)

func finding(t *testing.T, res *daemonconf.Result, id rule.ID) rule.Finding {
	t.Helper()
	for _, f := range res.Findings {
		if f.Rule == id {
			return f
		}
	}
	t.Fatalf("no %s finding in %+v", id, res.Findings)
	return rule.Finding{}
}

// passwd is a host whose /etc/passwd has root (0), toor (0, after root),
// alice (1000) and no uid 4242.
func passwd(uid int) (string, bool) {
	switch uid {
	case 0:
		return "root", true
	case 1000:
		return "alice", true
	}
	return "", false
}

// TestEffectiveSettings judges CIS 2.3, 2.9 and 2.15 by what dockerd
// applies, not by what one key says.
func TestEffectiveSettings(t *testing.T) {
	swarm := &daemonconf.HostFacts{SwarmActive: true}
	notSwarm := &daemonconf.HostFacts{}
	for _, tc := range []struct {
		name   string
		file   string
		args   []string
		host   *daemonconf.HostFacts
		id     rule.ID
		want   rule.Status
		reason string // substring of the reason
	}{
		{"debug overrides log-level info", `{"debug": true, "log-level": "info"}`, nil, nil, daemonconf.DaemonLogLevel, rule.StatusFail, "logs at debug"},
		{"debug alone", `{"debug": true}`, nil, nil, daemonconf.DaemonLogLevel, rule.StatusFail, "overrides log-level"},
		{"debug on the command line", `{"log-level": "info"}`, []string{"-D"}, nil, daemonconf.DaemonLogLevel, rule.StatusFail, "dockerd --debug"},
		{"debug false", `{"debug": false, "log-level": "info"}`, nil, nil, daemonconf.DaemonLogLevel, rule.StatusPass, "info"},
		{"log-level from the command line", `{}`, []string{"--log-level", "warn"}, nil, daemonconf.DaemonLogLevel, rule.StatusFail, "not info"},
		{"userns root", `{"userns-remap": "root"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusFail, "off"},
		{"userns root:root", `{"userns-remap": "root:root"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusFail, "off"},
		{"userns uid 0", `{"userns-remap": "0"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusFail, "uid 0"},
		{"userns 0:0", `{"userns-remap": "0:0"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusFail, "uid 0"},
		{"userns uid 0 on a known host", `{"userns-remap": "0:0"}`, nil, &daemonconf.HostFacts{LookupUID: passwd}, daemonconf.DaemonUsernsRemap, rule.StatusFail, "root on this host"},
		{"userns uid 1000 on a known host", `{"userns-remap": "1000"}`, nil, &daemonconf.HostFacts{LookupUID: passwd}, daemonconf.DaemonUsernsRemap, rule.StatusPass, "on"},
		{"userns root on the command line", `{}`, []string{"--userns-remap=root"}, nil, daemonconf.DaemonUsernsRemap, rule.StatusFail, "off"},
		{"userns default", `{"userns-remap": "default"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusPass, "on"},
		{"userns named user", `{"userns-remap": "dockremap:dockremap"}`, nil, nil, daemonconf.DaemonUsernsRemap, rule.StatusPass, "on"},
		{"live-restore on a swarm node", `{"live-restore": true}`, nil, swarm, daemonconf.DaemonLiveRestore, rule.StatusFail, "swarm"},
		{"live-restore off on a swarm node", `{}`, nil, swarm, daemonconf.DaemonLiveRestore, rule.StatusSkip, "swarm"},
		{"live-restore off elsewhere", `{}`, nil, notSwarm, daemonconf.DaemonLiveRestore, rule.StatusFail, "not true"},
		{"live-restore on elsewhere", `{"live-restore": true}`, nil, notSwarm, daemonconf.DaemonLiveRestore, rule.StatusPass, "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := daemonconf.Validate([]byte(tc.file), daemonconf.Options{DockerdArgs: tc.args, Host: tc.host})
			f := finding(t, res, tc.id)
			if f.Status != tc.want || !strings.Contains(f.Reason, tc.reason) {
				t.Errorf("%s: %s %q (%s), want %s with %q", tc.id, f.Status, f.Reason, f.Detail, tc.want, tc.reason)
			}
			if len(f.CIS) != 1 {
				t.Errorf("CIS refs %v", f.CIS)
			}
		})
	}
}

// TestUsernsRootIsAProblem: the file is accepted, but the hygiene report
// says user namespaces are off; a numeric uid without a passwd entry is
// refused when the host is known.
func TestUsernsRootIsAProblem(t *testing.T) {
	res := daemonconf.Validate([]byte(`{"userns-remap": "root"}`), daemonconf.Options{})
	if res.Refused() || !hasProblem(res, daemonconf.CodeIneffective, "userns-remap", "OFF") {
		t.Errorf("root: refused=%v %v", res.Refused(), res.Problems)
	}
	res = daemonconf.Validate([]byte(`{"userns-remap": "4242"}`), daemonconf.Options{Host: &daemonconf.HostFacts{LookupUID: passwd}})
	if !res.Refused() || !hasProblem(res, daemonconf.CodeHost, "userns-remap", "no entry in /etc/passwd") {
		t.Errorf("uid 4242: refused=%v %v", res.Refused(), res.Problems)
	}
}

func hasProblem(res *daemonconf.Result, code daemonconf.Code, key, msg string) bool {
	for _, p := range res.Problems {
		if p.Code == code && p.Key == key && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func TestGenerateRefusesUsernsRoot(t *testing.T) {
	for _, spec := range []string{"root", "0", "0:0", "root:root", "00"} {
		_, err := daemonconf.Generate(daemonconf.WithUsernsRemap(spec))
		if err == nil || !strings.Contains(err.Error(), `use "default"`) {
			t.Errorf("%q: %v, want a refusal that says to use \"default\"", spec, err)
		}
	}
	if _, err := daemonconf.Generate(daemonconf.WithUsernsRemap("dockremap")); err != nil {
		t.Errorf("dockremap: %v", err)
	}
}

// TestLiveRestoreSwarmConflict: every modelled engine refuses live-restore
// on a swarm node (checked against moby 20.10 to 29.x).
func TestLiveRestoreSwarmConflict(t *testing.T) {
	for _, ver := range []string{"20.10", "23.0", "25.0", "28.5", "29.1"} {
		v, err := daemonconf.ParseVersion(ver)
		if err != nil {
			t.Fatal(err)
		}
		res := daemonconf.Validate([]byte(`{"live-restore": true}`), daemonconf.Options{Version: v, Host: &daemonconf.HostFacts{SwarmActive: true}})
		if !res.Refused() || !hasProblem(res, daemonconf.CodeHost, "live-restore", "swarm") {
			t.Errorf("%s: refused=%v %v", ver, res.Refused(), res.Problems)
		}
		res = daemonconf.Validate([]byte(`{"live-restore": true}`), daemonconf.Options{Version: v, Host: &daemonconf.HostFacts{}})
		if !res.OK() {
			t.Errorf("%s, not a swarm node: %v", ver, res.Problems)
		}
	}
	// Unknown host: nothing to report (most hosts are not swarm nodes).
	res := daemonconf.Validate([]byte(`{"live-restore": true}`), daemonconf.Options{})
	if !res.OK() || hasProblem(res, daemonconf.CodeHost, "live-restore", "swarm") {
		t.Errorf("unknown host: %v", res.Problems)
	}
}

func TestHardenJudgesEffectiveSettings(t *testing.T) {
	out, changes, err := daemonconf.Harden([]byte(`{"debug": true, "log-level": "info"}`), daemonconf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := finding(t, daemonconf.Validate(out, daemonconf.Options{}), daemonconf.DaemonLogLevel); f.Status != rule.StatusPass {
		t.Errorf("hardened file still logs at debug: %s\n%s", f.Reason, out)
	}
	if !strings.Contains(changesText(changes), "debug: true -> false") {
		t.Errorf("changes %v", changes)
	}

	swarm := daemonconf.Options{Host: &daemonconf.HostFacts{SwarmActive: true}}
	out, changes, err = daemonconf.Harden([]byte(`{"icc": true}`), swarm)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "live-restore") || strings.Contains(changesText(changes), "live-restore") {
		t.Errorf("swarm node got live-restore: %s %v", out, changes)
	}
	out, _, err = daemonconf.Harden([]byte(`{"live-restore": true}`), swarm)
	if err != nil || !strings.Contains(string(out), `"live-restore": false`) {
		t.Errorf("swarm node kept live-restore: %v\n%s", err, out)
	}
	out, _, err = daemonconf.Harden([]byte(`{}`), daemonconf.Options{Host: &daemonconf.HostFacts{}})
	if err != nil || !strings.Contains(string(out), `"live-restore": true`) {
		t.Errorf("not a swarm node: no live-restore: %v\n%s", err, out)
	}
}

func changesText(cs []daemonconf.Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Description + "\n")
	}
	return b.String()
}
