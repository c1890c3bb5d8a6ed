package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/safedock/safedock/internal/sariftest"
	"github.com/safedock/safedock/report"
	"github.com/safedock/safedock/rule"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := sariftest.Schema()
	if err != nil {
		t.Fatalf("SARIF schema: %v", err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// sample is a report with every status and every kind of target.
func sample() (rule.Report, rule.Catalog) {
	cat := rule.ContainerRules()
	extra := rule.Rule{
		ID: "file.daemon-json", Title: "daemon.json is root:root 644 or stricter", Severity: rule.SeverityMedium, CIS: []string{"3.17"},
		Rationale: "A writable daemon.json lets anyone reconfigure the daemon.", Remediation: "chown root:root /etc/docker/daemon.json; chmod 644 /etc/docker/daemon.json",
	}
	info := rule.Rule{ID: "host.os", Title: "The host OS is known", Severity: rule.SeverityInfo,
		Rationale: "Some checks depend on the OS.", Remediation: "None needed."}
	cat = append(cat, extra, info)
	get := func(id rule.ID) rule.Rule { r, _ := cat.Lookup(id); return r }
	nnp, priv, user, logs := get(rule.ContainerNoNewPrivileges), get(rule.ContainerPrivileged), get(rule.ContainerNonRootUser), get(rule.ContainerLogRotation)
	w := rule.Waivers{}
	_ = w.Waive(rule.ContainerNonRootUser, "the image needs root to bind port 80; reviewed 2025-01")
	fs := []rule.Finding{
		nnp.Finding("container:web", rule.Fail("no-new-privileges not set", "HostConfig.SecurityOpt=[]")),
		priv.Finding("container:web", rule.Pass("not privileged", "HostConfig.Privileged=false")),
		user.Finding("container:web", w.Apply(rule.ContainerNonRootUser, rule.Fail("runs as root", "Config.User=\"\""))),
		logs.Finding("container:db", rule.Skip("log driver is the daemon's default, which this check cannot see")),
		get(rule.ContainerCgroupParent).Finding("container:db", rule.Warn("custom cgroup parent", "HostConfig.CgroupParent=/custom")),
		extra.Finding("file:/etc/docker/daemon.json", rule.Fail("mode 0666 is looser than 0644", "mode=0666 owner=root:root")),
		extra.Finding("file:/etc/docker/with space.json", rule.Pass("mode 0644", "")),
		get(rule.ContainerCapabilities).Finding("spec:/bundles/app/config.json", rule.Fail("CAP_SYS_ADMIN added", "process.capabilities.bounding")),
		info.Finding("host", rule.Pass("Debian GNU/Linux 13", "")),
		// A rule the catalog does not describe: described from the finding.
		{Rule: "audit.dockerd", CIS: []string{"1.1.3"}, Status: rule.StatusFail, Severity: rule.SeverityMedium,
			Target: "audit:/usr/bin/dockerd", Reason: "no audit rule watches /usr/bin/dockerd", Remediation: "Add -w /usr/bin/dockerd -k docker."},
		{Rule: "host.data-root-mount", Status: rule.StatusWarn, Severity: rule.SeverityLow,
			Target: "host:/var/lib/docker", Reason: "data root shares the root filesystem"},
	}
	return rule.NewReport(fs), cat
}

func writeSample(t *testing.T, passed bool) []byte {
	t.Helper()
	r, cat := sample()
	var buf bytes.Buffer
	if err := report.Write(&buf, r, report.SARIF, report.Options{Rules: cat, ToolVersion: "0.1.0-test", Passed: passed}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := sarifSchema(t)
	for _, passed := range []bool{false, true} {
		out := writeSample(t, passed)
		if err := validate(sch, out); err != nil {
			t.Errorf("Passed=%v: output does not validate against SARIF 2.1.0:\n%v", passed, err)
		}
	}
	// An empty report, without a catalog, is a valid log too.
	var buf bytes.Buffer
	if err := report.Write(&buf, rule.NewReport(nil), report.SARIF, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := validate(sch, buf.Bytes()); err != nil {
		t.Errorf("empty report: %v", err)
	}
}

// TestSARIFSchemaCatchesMutations proves the validation can fail: each
// mutation of a valid log breaks one schema constraint.
func TestSARIFSchemaCatchesMutations(t *testing.T) {
	sch := sarifSchema(t)
	valid := writeSample(t, true)
	mutations := map[string]func(log map[string]any){
		"unknown level":          func(l map[string]any) { result(l, 0)["level"] = "fatal" },
		"unknown kind":           func(l map[string]any) { result(l, 0)["kind"] = "broken" },
		"no message":             func(l map[string]any) { delete(result(l, 0), "message") },
		"message without text":   func(l map[string]any) { result(l, 0)["message"] = map[string]any{"markdown": "x"} },
		"ruleIndex below -1":     func(l map[string]any) { result(l, 0)["ruleIndex"] = -2 },
		"unknown result field":   func(l map[string]any) { result(l, 0)["severity"] = "high" },
		"no driver name":         func(l map[string]any) { delete(driver(l), "name") },
		"rule without id":        func(l map[string]any) { delete(driver(l)["rules"].([]any)[0].(map[string]any), "id") },
		"bad default level":      func(l map[string]any) { defaultConfig(l)["level"] = "critical" },
		"wrong version":          func(l map[string]any) { l["version"] = "2.0.0" },
		"no runs":                func(l map[string]any) { delete(l, "runs") },
		"bad suppression kind":   func(l map[string]any) { suppression(l)["kind"] = "waiver" },
		"suppression no kind":    func(l map[string]any) { delete(suppression(l), "kind") },
		"empty physicalLocation": func(l map[string]any) { location(l, 0)["physicalLocation"] = map[string]any{} },
		"uri not a uri":          func(l map[string]any) { artifact(l)["uri"] = "file:///etc/%zz" },
		"uri not a string":       func(l map[string]any) { artifact(l)["uri"] = 42 },
		"duplicate tags":         func(l map[string]any) { driverRuleProps(l)["tags"] = []any{"security", "security"} },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			var log map[string]any
			if err := json.Unmarshal(valid, &log); err != nil {
				t.Fatal(err)
			}
			mutate(log)
			data, err := json.Marshal(log)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(sch, data); err == nil {
				t.Errorf("mutated log still validates")
			}
		})
	}
}

func run0(l map[string]any) map[string]any { return l["runs"].([]any)[0].(map[string]any) }
func driver(l map[string]any) map[string]any {
	return run0(l)["tool"].(map[string]any)["driver"].(map[string]any)
}
func defaultConfig(l map[string]any) map[string]any {
	return driver(l)["rules"].([]any)[0].(map[string]any)["defaultConfiguration"].(map[string]any)
}
func driverRuleProps(l map[string]any) map[string]any {
	return driver(l)["rules"].([]any)[0].(map[string]any)["properties"].(map[string]any)
}
func result(l map[string]any, i int) map[string]any {
	return run0(l)["results"].([]any)[i].(map[string]any)
}
func location(l map[string]any, i int) map[string]any {
	return result(l, i)["locations"].([]any)[0].(map[string]any)
}
func suppression(l map[string]any) map[string]any {
	for _, r := range run0(l)["results"].([]any) {
		if s, ok := r.(map[string]any)["suppressions"]; ok {
			return s.([]any)[0].(map[string]any)
		}
	}
	panic("no suppressed result in the sample")
}
func artifact(l map[string]any) map[string]any {
	for i := range run0(l)["results"].([]any) {
		if p, ok := location(l, i)["physicalLocation"].(map[string]any); ok {
			return p["artifactLocation"].(map[string]any)
		}
	}
	panic("no physical location in the sample")
}

// The parts of a log this test reads back.
type sarifOut struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name    string `json:"name"`
				Version string `json:"version"`
				Rules   []struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text, Markdown string }
					DefaultConfiguration struct{ Level string }
					Properties           struct {
						Severity         string   `json:"severity"`
						CIS              []string `json:"cis"`
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					}
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID       string `json:"ruleId"`
			RuleIndex    int    `json:"ruleIndex"`
			Kind         string `json:"kind"`
			Level        string `json:"level"`
			Message      struct{ Text string }
			Suppressions []struct{ Kind, Status, Justification string }
			Locations    []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
				LogicalLocations []struct{ Name, FullyQualifiedName, Kind string }
			} `json:"locations"`
			Properties struct {
				Status string `json:"status"`
				Target string `json:"target"`
			}
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFContent(t *testing.T) {
	var log sarifOut
	if err := json.Unmarshal(writeSample(t, false), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "safedock" || d.Version != "0.1.0-test" {
		t.Errorf("driver = %q %q", d.Name, d.Version)
	}
	_, cat := sample()
	if len(d.Rules) != len(cat)+2 { // + audit.dockerd and host.data-root-mount, described from findings
		t.Errorf("%d rules, want %d", len(d.Rules), len(cat)+2)
	}
	for i, rl := range cat {
		got := d.Rules[i]
		if got.ID != string(rl.ID) || got.ShortDescription.Text != rl.Title || got.FullDescription.Text != rl.Rationale ||
			!strings.Contains(got.Help.Text, rl.Remediation) || !strings.Contains(got.Help.Markdown, rl.Remediation) {
			t.Errorf("rule %d = %+v, want %s from the catalog", i, got, rl.ID)
		}
		if got.Properties.Severity != rl.Severity.String() {
			t.Errorf("rule %s severity %q", rl.ID, got.Properties.Severity)
		}
		for _, c := range rl.CIS {
			if !strings.Contains(got.Help.Text, c) || !contains(got.Properties.Tags, "CIS-"+c) || !contains(got.Properties.CIS, c) {
				t.Errorf("rule %s: CIS %s missing from help or tags: %+v", rl.ID, c, got)
			}
		}
	}
	nnpAt := -1
	for i, rl := range d.Rules {
		if rl.ID == "container.no-new-privileges" {
			nnpAt = i
		}
	}
	if nnpAt < 0 {
		t.Fatal("no descriptor for container.no-new-privileges")
	}
	nnp := d.Rules[nnpAt]
	if nnp.Name != "ContainerNoNewPrivileges" || nnp.DefaultConfiguration.Level != "error" || nnp.Properties.SecuritySeverity != "8.0" {
		t.Errorf("container.no-new-privileges descriptor = %+v", nnp)
	}

	byKey := map[string]int{}
	for i, r := range run.Results {
		if d.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d is %s, not %s", i, r.RuleIndex, d.Rules[r.RuleIndex].ID, r.RuleID)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation == nil || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
			t.Errorf("result %d (%s %s): code scanning needs one physical location: %+v", i, r.RuleID, r.Properties.Target, r.Locations)
		}
		if r.Properties.Status == "pass" {
			t.Errorf("result %d: pass emitted without Options.Passed", i)
		}
		byKey[r.RuleID+" "+r.Properties.Target] = i
	}
	want := []struct {
		key, kind, level, uri, base, logical, message string
		suppressed                                    bool
	}{
		{"container.no-new-privileges container:web", "", "error", "container/web", "SAFEDOCK_TARGETS", "container:web", "no-new-privileges not set: HostConfig.SecurityOpt=[]", false},
		{"container.non-root-user container:web", "", "error", "container/web", "SAFEDOCK_TARGETS", "container:web", "", true},
		{"container.cgroup-parent container:db", "", "warning", "container/db", "SAFEDOCK_TARGETS", "container:db", "", false},
		{"file.daemon-json file:/etc/docker/daemon.json", "", "warning", "file:///etc/docker/daemon.json", "", "", "mode 0666 is looser than 0644: mode=0666 owner=root:root", false},
		{"container.capabilities spec:/bundles/app/config.json", "", "error", "file:///bundles/app/config.json", "", "", "", false},
		{"audit.dockerd audit:/usr/bin/dockerd", "", "warning", "audit/usr/bin/dockerd", "SAFEDOCK_TARGETS", "audit:/usr/bin/dockerd", "", false},
		{"host.data-root-mount host:/var/lib/docker", "", "warning", "host/var/lib/docker", "SAFEDOCK_TARGETS", "host:/var/lib/docker", "", false},
	}
	if len(run.Results) != len(want) {
		t.Errorf("%d results, want %d (passes omitted, skips are notifications)", len(run.Results), len(want))
	}
	for _, w := range want {
		i, ok := byKey[w.key]
		if !ok {
			t.Errorf("no result for %s", w.key)
			continue
		}
		r := run.Results[i]
		loc := r.Locations[0]
		if r.Kind != w.kind || r.Level != w.level || loc.PhysicalLocation.ArtifactLocation.URI != w.uri || loc.PhysicalLocation.ArtifactLocation.URIBaseID != w.base {
			t.Errorf("%s: kind %q level %q uri %q base %q, want %q %q %q %q", w.key, r.Kind, r.Level,
				loc.PhysicalLocation.ArtifactLocation.URI, loc.PhysicalLocation.ArtifactLocation.URIBaseID, w.kind, w.level, w.uri, w.base)
		}
		if w.logical != "" && (len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != w.logical) {
			t.Errorf("%s: logical locations %+v, want %s", w.key, loc.LogicalLocations, w.logical)
		}
		if w.logical == "" && len(loc.LogicalLocations) != 0 {
			t.Errorf("%s: a file target has logical locations %+v", w.key, loc.LogicalLocations)
		}
		if w.message != "" && r.Message.Text != w.message {
			t.Errorf("%s: message %q, want %q", w.key, r.Message.Text, w.message)
		}
		if w.suppressed {
			if len(r.Suppressions) != 1 || r.Suppressions[0].Kind != "external" || r.Suppressions[0].Status != "accepted" ||
				r.Suppressions[0].Justification != "the image needs root to bind port 80; reviewed 2025-01" {
				t.Errorf("%s: suppressions %+v", w.key, r.Suppressions)
			}
		} else if len(r.Suppressions) != 0 {
			t.Errorf("%s: unexpected suppressions %+v", w.key, r.Suppressions)
		}
	}

	// With Passed, passes appear as kind "pass", level "none".
	var all sarifOut
	if err := json.Unmarshal(writeSample(t, true), &all); err != nil {
		t.Fatal(err)
	}
	passes := 0
	for _, r := range all.Runs[0].Results {
		if r.Properties.Status == "pass" {
			passes++
			if r.Kind != "pass" || r.Level != "none" {
				t.Errorf("pass %s: kind %q level %q", r.RuleID, r.Kind, r.Level)
			}
		}
	}
	if passes != 3 {
		t.Errorf("%d passes with Passed, want 3", passes)
	}
}

func TestSARIFDeterministicGolden(t *testing.T) {
	out := writeSample(t, true)
	if again := writeSample(t, true); !bytes.Equal(out, again) {
		t.Fatal("two renderings of the same report differ")
	}
	golden := filepath.Join("testdata", "sample.sarif")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("SARIF output differs from %s; if the change is intended, run go test ./report -update", golden)
	}
}

func TestParseFormatSARIF(t *testing.T) {
	f, err := report.ParseFormat(" SARIF ")
	if err != nil || f != report.SARIF {
		t.Fatalf("ParseFormat(sarif) = %q, %v", f, err)
	}
	if _, err := report.ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "sarif") {
		t.Errorf("ParseFormat(xml) error = %v, want one naming sarif", err)
	}
}

func contains(s []string, v string) bool { return slices.Contains(s, v) }
