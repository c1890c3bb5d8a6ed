package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
)

// ErrNotGathered is the error of a Files lookup of a path the gather step
// did not examine: the caller asked for a fact nobody gathered.
var ErrNotGathered = errors.New("not gathered")

// FS is the read side of a root that the path searches (FindUnits,
// ContainerdSockets) work on: a live *Root, or the Files gathered from one.
type FS interface {
	// Lstat describes p without following its final component.
	Lstat(p string) (Stat, error)
	// ReadDir lists the names in directory p, sorted.
	ReadDir(p string) ([]string, error)
	// Resolve follows every symlink in p inside the root.
	Resolve(p string) (string, error)
	// Exists reports whether p exists (without following it).
	Exists(p string) bool
	// Canonical is p with its directories resolved inside the root, or p
	// cleaned when it does not exist.
	Canonical(p string) string
	// Live reports whether the root is this machine's "/".
	Live() bool
	// Dir is the root's directory on this machine.
	Dir() string
}

type statResult struct {
	st  Stat
	err error
}

type dirResult struct {
	names []string
	err   error
}

type resolveResult struct {
	path string
	err  error
}

// Files are the metadata of the paths the gather step examined under a
// root: lstat results, directory listings and symlink resolutions, each
// taken once through the root (no lookup leaves it). A lookup answers from
// what was gathered and never touches the file system; a path that was not
// gathered gives an error matching ErrNotGathered. Files is safe for
// concurrent use; the zero value knows nothing (and is not live).
type Files struct {
	mu       sync.RWMutex
	dir      string
	live     bool
	stats    map[string]statResult
	dirs     map[string]dirResult
	resolved map[string]resolveResult
	fs       map[string]fsResult
}

// newFiles returns an empty table for r.
func newFiles(r *Root) *Files {
	return &Files{dir: r.Dir(), live: r.Live(), stats: map[string]statResult{}, dirs: map[string]dirResult{}, resolved: map[string]resolveResult{}, fs: map[string]fsResult{}}
}

// Gather examines paths through r and adds what it finds (each path's
// lstat and, for one that exists, its resolution) to f; a path already
// examined is not examined again. It is for the gather step, which may
// learn of a path late (the data root /info reports); judges only look up.
func (f *Files) Gather(r *Root, paths ...string) {
	rec := &recorder{r: r, f: f}
	for _, p := range paths {
		rec.examine(p)
	}
}

// Live reports whether the files were gathered from this machine's "/".
func (f *Files) Live() bool { return f != nil && f.live }

// Dir is the directory of the root the files were gathered from.
func (f *Files) Dir() string {
	if f == nil {
		return ""
	}
	return f.dir
}

// Lstat returns p's gathered lstat result.
func (f *Files) Lstat(p string) (Stat, error) {
	p = Clean(p)
	if f != nil {
		f.mu.RLock()
		s, ok := f.stats[p]
		f.mu.RUnlock()
		if ok {
			return s.st, s.err
		}
	}
	return Stat{}, fmt.Errorf("lstat %s: %w", p, ErrNotGathered)
}

// ReadDir returns p's gathered listing.
func (f *Files) ReadDir(p string) ([]string, error) {
	p = Clean(p)
	if f != nil {
		f.mu.RLock()
		d, ok := f.dirs[p]
		f.mu.RUnlock()
		if ok {
			return append([]string(nil), d.names...), d.err
		}
	}
	return nil, fmt.Errorf("reading directory %s: %w", p, ErrNotGathered)
}

// Resolve returns p's gathered resolution.
func (f *Files) Resolve(p string) (string, error) {
	p = Clean(p)
	if f != nil {
		f.mu.RLock()
		r, ok := f.resolved[p]
		f.mu.RUnlock()
		if ok {
			return r.path, r.err
		}
	}
	return "", fmt.Errorf("resolving %s: %w", p, ErrNotGathered)
}

// Exists reports whether p was gathered and exists.
func (f *Files) Exists(p string) bool {
	_, err := f.Lstat(p)
	return err == nil
}

// Canonical is p with its directories resolved, from p's gathered lstat,
// or p cleaned.
func (f *Files) Canonical(p string) string {
	if st, err := f.Lstat(p); err == nil {
		return st.Resolved
	}
	return Clean(p)
}

// recorder is an FS over a live root that adds every answer to a Files
// table, asking the root at most once per path.
type recorder struct {
	r *Root
	f *Files
}

func (c *recorder) Live() bool  { return c.r.Live() }
func (c *recorder) Dir() string { return c.r.Dir() }

func (c *recorder) Lstat(p string) (Stat, error) {
	p = Clean(p)
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if s, ok := c.f.stats[p]; ok {
		return s.st, s.err
	}
	st, err := c.r.Lstat(p)
	c.f.stats[p] = statResult{st, err}
	return st, err
}

func (c *recorder) ReadDir(p string) ([]string, error) {
	p = Clean(p)
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if d, ok := c.f.dirs[p]; ok {
		return append([]string(nil), d.names...), d.err
	}
	names, err := c.r.ReadDir(p)
	c.f.dirs[p] = dirResult{names, err}
	return append([]string(nil), names...), err
}

func (c *recorder) Resolve(p string) (string, error) {
	p = Clean(p)
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	if r, ok := c.f.resolved[p]; ok {
		return r.path, r.err
	}
	s, err := c.r.Resolve(p)
	c.f.resolved[p] = resolveResult{s, err}
	return s, err
}

// examine records p's lstat and, when p exists, its resolution, the
// resolution of the path its directories lead to, and what it resolves to:
// everything a check asks of one path. Only a symlink is resolved through
// the root; any other file resolves to where its directories lead, which
// its lstat already says (so examining a file never opens it).
func (c *recorder) examine(p string) {
	st, err := c.Lstat(p)
	if err != nil {
		return
	}
	if st.Mode&fs.ModeSymlink == 0 {
		c.f.mu.Lock()
		for _, q := range []string{Clean(p), st.Resolved} {
			if _, ok := c.f.resolved[q]; !ok {
				c.f.resolved[q] = resolveResult{path: st.Resolved}
			}
		}
		c.f.mu.Unlock()
		if st.Resolved != Clean(p) {
			c.Lstat(st.Resolved)
		}
		return
	}
	if real, err := c.Resolve(p); err == nil {
		c.examine(real)
	}
}

func (c *recorder) Exists(p string) bool {
	_, err := c.Lstat(p)
	return err == nil
}

func (c *recorder) Canonical(p string) string {
	if st, err := c.Lstat(p); err == nil {
		return st.Resolved
	}
	return Clean(p)
}
