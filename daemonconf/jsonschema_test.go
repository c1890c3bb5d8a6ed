package daemonconf_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/safedock/safedock/daemonconf"
)

func compileSchema(t *testing.T, ver daemonconf.Version) *jsonschema.Schema {
	t.Helper()
	b, err := daemonconf.JSONSchema(ver)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("schema for %s is not JSON: %v", ver, err)
	}
	c := jsonschema.NewCompiler()
	url := daemonconf.JSONSchemaID + ver.String()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("schema for %s does not compile as 2020-12: %v", ver, err)
	}
	return sch
}

// TestJSONSchemaAgainstCorpus: for each engine, every corpus file the
// engine accepts validates against that engine's schema, and every file
// it refuses for an unknown key or a wrong type does not. Which engine
// accepts what is the validator's verdict, which TestCorpusAgainstDockerd
// ties to real 20.10 and 28.5 daemons.
func TestJSONSchemaAgainstCorpus(t *testing.T) {
	schemaCodes := []daemonconf.Code{daemonconf.CodeUnknownKey, daemonconf.CodeWrongType, daemonconf.CodeRemovedKey, daemonconf.CodeNewKey}
	for _, ver := range []daemonconf.Version{{Major: 20, Minor: 10}, {Major: 23}, {Major: 25}, {Major: 28, Minor: 5}, {Major: 29, Minor: 7}} {
		sch := compileSchema(t, ver)
		accepted, refused := 0, 0
		for _, c := range loadCorpus(t) {
			data, err := os.ReadFile(filepath.Join("testdata", "corpus", c.File))
			if err != nil {
				t.Fatal(err)
			}
			res := daemonconf.Validate(data, daemonconf.Options{Version: ver, DockerdArgs: append(testDaemonArgs(), c.Args...)})
			if res.Config == nil || !json.Valid(data) || slices.ContainsFunc(res.Problems, func(p daemonconf.Problem) bool {
				// not one JSON object, or the schema cannot see it
				// (dockerd reads duplicates and trailing data its own way)
				return p.Code == daemonconf.CodeSyntax || p.Code == daemonconf.CodeTrailingData || p.Code == daemonconf.CodeDuplicateKey
			}) {
				continue
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				continue
			}
			verr := sch.Validate(inst)
			switch {
			case slices.ContainsFunc(res.Errors(), func(p daemonconf.Problem) bool { return slices.Contains(schemaCodes, p.Code) }):
				refused++
				if verr == nil {
					t.Errorf("%s on %s: refused for a key or type (%v), but the schema accepts it", c.File, ver, res.Errors())
				}
			case !res.Refused():
				// dockerd ignores flag names and objects of flag names
				// under unknown keys; the schema refuses them on purpose.
				if slices.ContainsFunc(res.Problems, func(p daemonconf.Problem) bool {
					_, known := daemonconf.Lookup(p.Key)
					return p.Code == daemonconf.CodeIgnoredKey && !known
				}) {
					continue
				}
				accepted++
				if verr != nil {
					t.Errorf("%s on %s: dockerd accepts it, the schema does not: %v", c.File, ver, verr)
				}
			}
		}
		t.Logf("engine %s: %d accepted files validate, %d refused for keys or types do not", ver, accepted, refused)
		if accepted < 30 || refused < 10 {
			t.Errorf("engine %s: too few cases (%d accepted, %d refused)", ver, accepted, refused)
		}
	}
}

// TestJSONSchemaShape checks the schema's promises: 2020-12, unknown keys
// refused, enums, deprecated keys, per-version key sets, CIS advice.
func TestJSONSchemaShape(t *testing.T) {
	get := func(ver daemonconf.Version) map[string]any {
		b, err := daemonconf.JSONSchema(ver)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	old, cur := get(daemonconf.Version{Major: 20, Minor: 10}), get(daemonconf.Version{Major: 29, Minor: 7})
	if old["$schema"] != "https://json-schema.org/draft/2020-12/schema" || old["additionalProperties"] != false {
		t.Fatalf("schema header: %v %v", old["$schema"], old["additionalProperties"])
	}
	po, pc := old["properties"].(map[string]any), cur["properties"].(map[string]any)
	for _, k := range []string{"default-stop-timeout", "nri-opts", "firewall-backend", "proxies"} {
		if _, ok := po[k]; ok {
			t.Errorf("20.10 schema has %s", k)
		}
		if _, ok := pc[k]; !ok {
			t.Errorf("29.7 schema lacks %s", k)
		}
	}
	for _, k := range []string{"graph", "cluster-store", "oom-score-adjust"} {
		if _, ok := pc[k]; ok {
			t.Errorf("29.7 schema has removed key %s", k)
		}
	}
	enum := func(p map[string]any, k string) []any { return p[k].(map[string]any)["enum"].([]any) }
	if !slices.Contains(enum(po, "log-level"), any("warning")) || slices.Contains(enum(pc, "log-level"), any("warning")) {
		t.Errorf("log-level enum: 20.10 %v, 29.7 %v", enum(po, "log-level"), enum(pc, "log-level"))
	}
	if pc["allow-nondistributable-artifacts"].(map[string]any)["deprecated"] != true {
		t.Errorf("allow-nondistributable-artifacts is not deprecated in 29.7")
	}
	if d, _ := pc["icc"].(map[string]any)["description"].(string); !bytes.Contains([]byte(d), []byte("CIS")) || !bytes.Contains([]byte(d), []byte(`"icc": false`)) {
		t.Errorf("icc description lacks the CIS advice: %q", d)
	}
}

func testDaemonArgs() []string {
	return []string{"--data-root", "/tmp/sdd/r", "--exec-root", "/tmp/sdd/x", "--pidfile", "/tmp/sdd/p", "-H", "unix:///tmp/sdd/d.sock"}
}

// FuzzSchemaAgreesWithValidate: for any engine version ParseVersion
// accepts, the schema compiles, and a strict JSON object Validate accepts
// (no null values, no keys dockerd ignores) validates against it.
func FuzzSchemaAgreesWithValidate(f *testing.F) {
	for _, s := range []string{`{}`, `{"icc": false, "log-level": "warning"}`, `{"features": {"buildkit": true}}`, `{"proxies": {"http-proxy": "x"}}`,
		`{"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1, "Hard": 2}}}`, `{"runtimes": {"r": {"path": "/bin/r"}}}`, `{"nri-opts": {}}`} {
		f.Add([]byte(s), "28.5.2")
		f.Add([]byte(s), "20.10")
	}
	schemas := map[daemonconf.Version]*jsonschema.Schema{}
	f.Fuzz(func(t *testing.T, data []byte, version string) {
		ver, err := daemonconf.ParseVersion(version)
		if err != nil {
			return
		}
		sch, ok := schemas[ver]
		if !ok {
			sch = compileSchema(t, ver)
			schemas[ver] = sch
		}
		res := daemonconf.Validate(data, daemonconf.Options{Version: ver})
		if res.Refused() || res.Config == nil || !json.Valid(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return
		}
		if slices.ContainsFunc(res.Problems, func(p daemonconf.Problem) bool {
			return p.Code == daemonconf.CodeIgnoredKey || p.Code == daemonconf.CodeNull || p.Code == daemonconf.CodeDuplicateKey || p.Code == daemonconf.CodeTrailingData || p.Code == daemonconf.CodeSyntax
		}) {
			return
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("Validate accepts %q for %s, the schema does not: %v", data, ver, err)
		}
	})
}
