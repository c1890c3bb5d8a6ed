package podmanconf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// File is one configuration file as the caller's gather step read it.
type File struct {
	// Path is the file's path inside the audited root.
	Path string
	// Data is its content (nil when Err is set).
	Data []byte
	// Err says why it could not be read (an absent file is not listed).
	Err error
}

// Inputs are rootful Podman's configuration files, in the order Podman
// reads them (later files override earlier ones).
type Inputs struct {
	// ContainersConf: /usr/share/containers/containers.conf, its
	// containers.conf.d drop-ins, /etc/containers/containers.conf, its
	// drop-ins (each directory's *.conf in name order).
	ContainersConf []File
	// StorageConf is /etc/containers/storage.conf, else
	// /usr/share/containers/storage.conf; nil when neither exists.
	StorageConf *File
	// RegistriesConf: /etc/containers/registries.conf, then the
	// registries.conf.d drop-ins (*.conf in name order).
	RegistriesConf []File
}

// Files lists every file of in, in order.
func (in Inputs) Files() []File {
	out := slices.Clone(in.ContainersConf)
	if in.StorageConf != nil {
		out = append(out, *in.StorageConf)
	}
	return append(out, in.RegistriesConf...)
}

// Reader reads one file of the audited root without following symlinks
// out of it; an absent file is an error satisfying errors.Is(err,
// fs.ErrNotExist).
type Reader func(path string) ([]byte, error)

// Lister lists the names in one directory of the audited root.
type Lister func(dir string) ([]string, error)

// Gather reads Podman's configuration files through read and list (the
// caller's no-follow access to the audited root: podmanconf opens nothing
// itself).
func Gather(read Reader, list Lister) Inputs {
	var in Inputs
	add := func(dst *[]File, p string) {
		data, err := read(p)
		switch {
		case err == nil:
			*dst = append(*dst, File{Path: p, Data: data})
		case !errors.Is(err, fs.ErrNotExist):
			*dst = append(*dst, File{Path: p, Err: err})
		}
	}
	dropIns := func(dst *[]File, dir string) {
		names, err := list(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				*dst = append(*dst, File{Path: dir, Err: err})
			}
			return
		}
		slices.Sort(names)
		for _, n := range names {
			if strings.HasSuffix(n, ".conf") {
				add(dst, path.Join(dir, n))
			}
		}
	}
	add(&in.ContainersConf, "/usr/share/containers/containers.conf")
	dropIns(&in.ContainersConf, "/usr/share/containers/containers.conf.d")
	add(&in.ContainersConf, "/etc/containers/containers.conf")
	dropIns(&in.ContainersConf, "/etc/containers/containers.conf.d")
	for _, p := range []string{"/etc/containers/storage.conf", "/usr/share/containers/storage.conf"} {
		var one []File
		add(&one, p)
		if len(one) > 0 {
			in.StorageConf = &one[0]
			break
		}
	}
	add(&in.RegistriesConf, "/etc/containers/registries.conf")
	dropIns(&in.RegistriesConf, "/etc/containers/registries.conf.d")
	return in
}

// Value is one setting and the file that set it last.
type Value struct {
	V      any
	Source string
}

// Registry is one [[registry]] entry of registries.conf (or a v1 list).
type Registry struct {
	Location string
	Insecure bool
	Blocked  bool
	Source   string
}

// Problem is a file Podman's configuration could not be read or parsed
// from.
type Problem struct {
	Path string
	Err  error
}

// Config is Podman's effective configuration, merged from Inputs as
// Podman merges it: a key set in a later containers.conf overrides the
// same key in an earlier one.
type Config struct {
	// Containers are containers.conf's [containers] keys.
	Containers map[string]Value
	// Storage are storage.conf's keys, dotted ("storage.driver",
	// "storage.options.remap-user").
	Storage map[string]Value
	// UnqualifiedSearch is registries.conf's unqualified-search-registries.
	UnqualifiedSearch *Value
	// ShortNameMode is registries.conf's short-name-mode.
	ShortNameMode *Value
	// Registries are the registries with settings, in file order.
	Registries []Registry
	// Problems are the files that could not be read or parsed.
	Problems []Problem
	// ContainersConfFiles are the containers.conf files merged, in order.
	ContainersConfFiles []string
}

// Load merges the gathered files into the effective configuration. A file
// that cannot be read or parsed is recorded in Problems and contributes
// nothing.
func Load(in Inputs) *Config {
	c := &Config{Containers: map[string]Value{}, Storage: map[string]Value{}}
	parse := func(f File) (map[string]any, bool) {
		if f.Err != nil {
			c.Problems = append(c.Problems, Problem{f.Path, fmt.Errorf("reading %s: %w", f.Path, f.Err)})
			return nil, false
		}
		m, err := parseTOML(string(f.Data))
		if err != nil {
			c.Problems = append(c.Problems, Problem{f.Path, fmt.Errorf("parsing %s: %w", f.Path, err)})
			return nil, false
		}
		return m, true
	}
	for _, f := range in.ContainersConf {
		m, ok := parse(f)
		if !ok {
			continue
		}
		c.ContainersConfFiles = append(c.ContainersConfFiles, f.Path)
		if t, ok := m["containers"].(map[string]any); ok {
			for k, v := range t {
				c.Containers[k] = Value{V: v, Source: f.Path}
			}
		}
	}
	if f := in.StorageConf; f != nil {
		if m, ok := parse(*f); ok {
			flatten(c.Storage, "", m, f.Path)
		}
	}
	for _, f := range in.RegistriesConf {
		m, ok := parse(f)
		if !ok {
			continue
		}
		if v, ok := m["unqualified-search-registries"]; ok {
			c.UnqualifiedSearch = &Value{V: v, Source: f.Path}
		}
		if v, ok := m["short-name-mode"]; ok {
			c.ShortNameMode = &Value{V: v, Source: f.Path}
		}
		regs, _ := m["registry"].([]map[string]any)
		for _, r := range regs {
			loc, _ := r["location"].(string)
			if loc == "" {
				loc, _ = r["prefix"].(string)
			}
			ins, _ := r["insecure"].(bool)
			blk, _ := r["blocked"].(bool)
			c.Registries = append(c.Registries, Registry{Location: loc, Insecure: ins, Blocked: blk, Source: f.Path})
		}
		// The v1 format: [registries.insecure] registries = [...].
		if v1, ok := m["registries"].(map[string]any); ok {
			if t, ok := v1["insecure"].(map[string]any); ok {
				for _, loc := range stringsOf(t["registries"]) {
					c.Registries = append(c.Registries, Registry{Location: loc, Insecure: true, Source: f.Path})
				}
			}
			if t, ok := v1["search"].(map[string]any); ok && c.UnqualifiedSearch == nil {
				c.UnqualifiedSearch = &Value{V: t["registries"], Source: f.Path}
			}
		}
	}
	return c
}

func flatten(dst map[string]Value, prefix string, m map[string]any, src string) {
	for k, v := range m {
		if t, ok := v.(map[string]any); ok {
			flatten(dst, prefix+k+".", t, src)
			continue
		}
		dst[prefix+k] = Value{V: v, Source: src}
	}
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// containersString returns a [containers] string setting.
func (c *Config) containersString(key string) (string, string, bool) {
	v, ok := c.Containers[key]
	if !ok {
		return "", "", false
	}
	s, ok := v.V.(string)
	return s, v.Source, ok
}

// setting says where a value came from, for a finding's detail.
func setting(key string, v any, src string) string {
	if src == "" {
		return fmt.Sprintf("%s: %v (default)", key, v)
	}
	return fmt.Sprintf("%s = %v (%s)", key, v, src)
}
