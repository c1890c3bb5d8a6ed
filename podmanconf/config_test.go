package podmanconf

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRoot serves files from a map, as the caller's no-follow reader would.
type fakeRoot map[string]string

func (r fakeRoot) read(p string) ([]byte, error) {
	if s, ok := r[p]; ok {
		if s == "EACCES" {
			return nil, errors.New("permission denied")
		}
		return []byte(s), nil
	}
	return nil, fs.ErrNotExist
}

func (r fakeRoot) list(dir string) ([]string, error) {
	var out []string
	for p := range r {
		if path.Dir(p) == dir {
			out = append(out, path.Base(p))
		}
	}
	if len(out) == 0 {
		return nil, fs.ErrNotExist
	}
	return out, nil
}

func load(r fakeRoot) *Config { return Load(Gather(r.read, r.list)) }

func TestLoadMergesAsPodmanDoes(t *testing.T) {
	c := load(fakeRoot{
		"/usr/share/containers/containers.conf":          "[containers]\nuserns = \"host\"\nlog_driver = \"k8s-file\"\n",
		"/etc/containers/containers.conf":                "[containers]\nuserns = \"auto\"\n",
		"/etc/containers/containers.conf.d/10-a.conf":    "[containers]\nlog_driver = \"journald\"\n",
		"/etc/containers/containers.conf.d/20-b.conf":    "[containers]\nlog_driver = \"k8s-file\"\nlog_size_max = 1024\n",
		"/etc/containers/containers.conf.d/README":       "not a drop-in",
		"/usr/share/containers/storage.conf":             "[storage]\ndriver = \"vfs\"\n",
		"/etc/containers/storage.conf":                   "[storage]\ndriver = \"overlay\"\n[storage.options]\nremap-user = \"containers\"\n",
		"/etc/containers/registries.conf":                "unqualified-search-registries = [\"docker.io\", \"quay.io\"]\n",
		"/etc/containers/registries.conf.d/50-mine.conf": "[[registry]]\nlocation = \"r.example:5000\"\ninsecure = true\n",
	})
	require.Empty(t, c.Problems)
	assert.Equal(t, Value{"auto", "/etc/containers/containers.conf"}, c.Containers["userns"])
	assert.Equal(t, Value{"k8s-file", "/etc/containers/containers.conf.d/20-b.conf"}, c.Containers["log_driver"], "drop-ins in name order, the last wins")
	assert.Equal(t, Value{"overlay", "/etc/containers/storage.conf"}, c.Storage["storage.driver"], "/etc's storage.conf replaces /usr/share's")
	assert.Equal(t, "containers", c.Storage["storage.options.remap-user"].V)
	assert.Equal(t, []Registry{{Location: "r.example:5000", Insecure: true, Source: "/etc/containers/registries.conf.d/50-mine.conf"}}, c.Registries)
	assert.Equal(t, []string{"docker.io", "quay.io"}, stringsOf(c.UnqualifiedSearch.V))
	assert.NotContains(t, strings.Join(c.ContainersConfFiles, " "), "README")
}

func TestLoadRecordsUnreadableAndBrokenFiles(t *testing.T) {
	c := load(fakeRoot{
		"/etc/containers/containers.conf": "EACCES",
		"/etc/containers/registries.conf": "[[registry]\n",
	})
	require.Len(t, c.Problems, 2)
	assert.Contains(t, c.Problems[0].Err.Error(), "reading /etc/containers/containers.conf")
	assert.Contains(t, c.Problems[1].Err.Error(), "parsing /etc/containers/registries.conf")
}
