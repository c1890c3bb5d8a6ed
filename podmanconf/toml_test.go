package podmanconf

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The files Debian bookworm's podman 4.3 ships parse.
func TestParseTOMLOfDebiansPodmanFiles(t *testing.T) {
	for _, name := range []string{"debian-4.3-containers.conf", "debian-4.3-registries.conf", "debian-4.3-shortnames.conf"} {
		data, err := os.ReadFile("testdata/" + name)
		require.NoError(t, err)
		m, err := parseTOML(string(data))
		require.NoError(t, err, name)
		if name != "debian-4.3-registries.conf" { // all comments
			assert.NotEmpty(t, m, name)
		}
	}
	data, err := os.ReadFile("testdata/debian-4.3-containers.conf")
	require.NoError(t, err)
	m, err := parseTOML(string(data))
	require.NoError(t, err)
	caps := m["containers"].(map[string]any)["default_capabilities"].([]any)
	assert.Contains(t, caps, "CHOWN")
	assert.NotContains(t, m["containers"], "seccomp_profile", "commented out")
}

func TestParseTOMLSubset(t *testing.T) {
	m, err := parseTOML(`
top = "a # not a comment" # a comment
[containers]
userns = 'auto'
log_size_max = 10_485_760
no_new_privileges = true
default_ulimits = []
env = [
  "A=1", # first
  "B=2",
]
[engine.runtimes]
runc = ["/usr/bin/runc"]
[[registry]]
location = "a.example"
insecure = true
mirror = [{ location = "m.example", insecure = false }]
[[registry]]
prefix = "b.example"
`)
	require.NoError(t, err)
	assert.Equal(t, "a # not a comment", m["top"])
	c := m["containers"].(map[string]any)
	assert.Equal(t, "auto", c["userns"])
	assert.Equal(t, int64(10485760), c["log_size_max"])
	assert.Equal(t, true, c["no_new_privileges"])
	assert.Equal(t, []any{}, c["default_ulimits"])
	assert.Equal(t, []any{"A=1", "B=2"}, c["env"])
	assert.Equal(t, []any{"/usr/bin/runc"}, m["engine"].(map[string]any)["runtimes"].(map[string]any)["runc"])
	regs := m["registry"].([]map[string]any)
	require.Len(t, regs, 2)
	assert.Equal(t, true, regs[0]["insecure"])
	assert.Equal(t, "b.example", regs[1]["prefix"])

	for _, bad := range []string{
		"a = \"\"\"multi\nline\"\"\"",
		"a = 1979-05-27",
		"a = 1\na = 2",
		"a = \"open",
		"[t\n",
		"a = 1 b = 2",
	} {
		_, err := parseTOML(bad)
		assert.Error(t, err, "%q must be refused, not misread", bad)
	}
}

// The TOML reader never panics and never loops on hostile input: any bytes
// give a table or an error.
func FuzzParseTOML(f *testing.F) {
	for _, s := range []string{
		"[containers]\nno_new_privileges = true\nseccomp_profile = \"/x.json\"\n",
		"[[registry]]\nlocation = \"r.example\"\ninsecure = true\n",
		"unqualified-search-registries = [\"docker.io\", 'quay.io']\n",
		"[engine]\nevents_logger = \"file\" # comment\n[a.b.\"c\"]\nk = [1, 2, [3]]\n",
		"key = \"\"\"multi\nline\"\"\"\n", "[", "a = [", "a = \"\\u00e9\"", "= 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseTOML(s)
		if err == nil && m == nil {
			t.Fatalf("no table and no error for %q", s)
		}
	})
}
