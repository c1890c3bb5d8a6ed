package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"golang.org/x/sys/unix"
)

// MaxSymlinks is how many symlinks Follow follows in one path before it
// gives up with ELOOP, as the Linux kernel does (MAXSYMLINKS).
const MaxSymlinks = 40

// maxPath bounds the length of the path Follow builds (PATH_MAX).
const maxPath = 4096

// Followed is where a path leads inside a root.
type Followed struct {
	// Path is the in-root path the kernel reaches: every symlink resolved
	// (relative ones against their directory, absolute ones against the
	// root), ".." taken on the resolved directory. When part of the path
	// does not exist, Path is the resolved existing part with the rest
	// appended: what mkdir -p of the path (dockerd does it for a missing
	// -v source) would create.
	Path string
	// Missing says Path does not exist (yet).
	Missing bool
	// Links counts the symlinks followed.
	Links int
}

// Follow resolves p component by component the way the kernel's path walk
// does, inside the root: symlinks at every component (the last included),
// ".." on the directory reached so far and clamped at the root, at most
// MaxSymlinks links (then an error matching unix.ELOOP). A component that
// exists but is not a directory and is followed by more gives ENOTDIR. A
// missing component ends the walk and the rest is appended as written;
// a ".." after a missing component is an error (the kernel could not walk
// it), so the caller never judges a path it guessed.
func (r *Root) Follow(p string) (Followed, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return Followed{}, fmt.Errorf("following %q: %w", p, unix.EINVAL)
	}
	todo := split(p)
	var (
		done    []string // resolved components
		links   int
		missing bool
		length  int
	)
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			if missing {
				return Followed{}, fmt.Errorf("following %s: \"..\" after the missing directory /%s: %w", Clean(p), strings.Join(done, "/"), unix.ENOENT)
			}
			if len(done) > 0 {
				length -= len(done[len(done)-1]) + 1
				done = done[:len(done)-1]
			}
			continue
		}
		if length += len(c) + 1; length > maxPath {
			return Followed{}, fmt.Errorf("following %s: %w", Clean(p), unix.ENAMETOOLONG)
		}
		if missing {
			done = append(done, c)
			continue
		}
		cur := "/" + strings.Join(append(done, c), "/")
		st, err := r.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = true
			done = append(done, c)
			continue
		case err != nil:
			return Followed{}, fmt.Errorf("following %s: %w", Clean(p), err)
		}
		if st.Mode&fs.ModeSymlink != 0 {
			links++
			if links > MaxSymlinks {
				return Followed{}, fmt.Errorf("following %s: more than %d symlinks: %w", Clean(p), MaxSymlinks, unix.ELOOP)
			}
			if st.Link == "" {
				return Followed{}, fmt.Errorf("following %s: empty symlink %s: %w", Clean(p), cur, unix.ENOENT)
			}
			if strings.HasPrefix(st.Link, "/") {
				done, length = nil, 0
			} else {
				length -= len(c) + 1
			}
			todo = append(split(st.Link), todo...)
			continue
		}
		if !st.Mode.IsDir() && len(todo) > 0 { // the kernel walks "x/." into x too
			return Followed{}, fmt.Errorf("following %s: %s: %w", Clean(p), cur, unix.ENOTDIR)
		}
		done = append(done, c)
	}
	return Followed{Path: "/" + strings.Join(done, "/"), Missing: missing, Links: links}, nil
}

// StatFollow describes what p names, following every symlink inside the
// root (Follow, then Lstat of the result). A path that does not exist
// gives an error matching fs.ErrNotExist.
func (r *Root) StatFollow(p string) (Stat, error) {
	f, err := r.Follow(p)
	if err != nil {
		return Stat{}, err
	}
	if f.Missing {
		return Stat{}, fmt.Errorf("stat %s: %w", Clean(p), fs.ErrNotExist)
	}
	st, err := r.Lstat(f.Path)
	if err != nil {
		return Stat{}, err
	}
	st.Path, st.Resolved = Clean(p), f.Path
	return st, nil
}

// split returns the non-empty components of p.
func split(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
