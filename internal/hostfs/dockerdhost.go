package hostfs

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DockerdHost are the facts of the machine a dockerd runs on that are not
// files under the root: the running kernel's filesystems and mount table
// (which storage drivers and quotas a data root can have) and the limits
// of the running dockerd. GatherDockerdHost reads each once.
type DockerdHost struct {
	// Filesystems is the running kernel's /proc/filesystems: the very read
	// of Kernel.Filesystems on a live root; on another root, this
	// machine's (the kernel a host root mounted into a container runs on).
	Filesystems Content
	// MountInfo is the running kernel's /proc/self/mountinfo, likewise
	// (Facts.MountInfo on a live root). Its mount points are host paths.
	MountInfo Content
	// Limits is /proc/<pid>/limits of the gathered dockerd (a live root
	// with a running dockerd only; otherwise Data is nil).
	Limits Content
}

// GatherDockerdHost fills f.Dockerd, reading what f does not already hold
// once: on a live root the kernel's files were read by Gather and are
// reused; the running dockerd's limits are read when f.Daemon.Process is
// set. It never fails: what could not be read has its Err set.
func GatherDockerdHost(f *Facts) {
	live := f.Files.Live()
	if live {
		f.Dockerd.Filesystems = f.Kernel.Filesystems
		f.Dockerd.MountInfo = Content{Path: "/proc/self/mountinfo", Data: f.MountInfo, Err: f.MountInfoErr}
	} else {
		f.Dockerd.Filesystems = readProc("/proc/filesystems", 1<<20)
		f.Dockerd.MountInfo = readProc("/proc/self/mountinfo", maxMountInfo)
	}
	if p := f.Daemon.Process; live && p != nil && p.PID > 0 {
		f.Dockerd.Limits = readProc("/proc/"+strconv.Itoa(p.PID)+"/limits", 1<<16)
	}
}

// readProc reads a file of this machine's /proc (never a path under an
// audited root), refusing anything but a regular file.
func readProc(p string, max int64) Content {
	data, _, err := ReadFile(p, max)
	return Content{Path: p, Data: data, Err: err}
}

// NofileHardLimit is the hard "Max open files" of a /proc/<pid>/limits
// file, or 0 when it is absent or unreadable.
func NofileHardLimit(limits []byte) uint64 {
	for _, line := range strings.Split(string(limits), "\n") {
		if !strings.HasPrefix(line, "Max open files") {
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 5 {
			if n, err := strconv.ParseUint(f[4], 10, 64); err == nil {
				return n
			}
		}
	}
	return 0
}

// MountOptions returns the options (per-mount and superblock) of the
// mount of a mountinfo table that holds hostPath (the longest mount point
// that is hostPath or one of its parents), and whether one does.
func MountOptions(mountInfo []byte, hostPath string) ([]string, bool) {
	best, opts, found := "", []string(nil), false
	for _, line := range strings.Split(string(mountInfo), "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		mp := unescapeMount(f[4])
		if hostPath != mp && !strings.HasPrefix(hostPath, strings.TrimSuffix(mp, "/")+"/") || found && len(mp) <= len(best) {
			continue
		}
		o := strings.Split(f[5], ",")
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				if i+3 < len(f) {
					o = append(o, strings.Split(f[i+3], ",")...)
				}
				break
			}
		}
		best, opts, found = mp, o, true
	}
	return opts, found
}

// unescapeMount undoes the octal escapes (\040 for a space) of a mount
// point in mountinfo.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// FSInfo is the filesystem a path of a root is on.
type FSInfo struct {
	// Path is the in-root path that answered: the one asked for (its
	// symlinks followed inside the root), or its nearest existing parent.
	Path string
	// Type is statfs(2)'s f_type (a filesystem magic number).
	Type int64
}

type fsResult struct {
	info FSInfo
	err  error
}

// Statfs describes the filesystem p is on, or its nearest existing
// parent's when p does not exist. p is resolved inside the root (its
// symlinks followed there, as dockerd follows its data root) and opened
// O_PATH, never for reading.
func (r *Root) Statfs(p string) (FSInfo, error) {
	c := Clean(p)
	for {
		fd, err := r.openat2(r.fd, rel(c), unix.O_PATH)
		if err == nil {
			var st unix.Statfs_t
			serr := unix.Fstatfs(fd, &st)
			in := r.inRoot(fd)
			unix.Close(fd)
			if serr != nil {
				return FSInfo{}, fmt.Errorf("statfs %s: %w", c, serr)
			}
			if in == "" {
				in = c
			}
			return FSInfo{Path: in, Type: int64(st.Type)}, nil //nolint:unconvert // the field's width differs between architectures
		}
		if !errors.Is(err, unix.ENOENT) || c == "/" {
			return FSInfo{}, fmt.Errorf("statfs %s: %w", Clean(p), err)
		}
		c = filepath.Dir(c)
	}
}

// GatherFS records the filesystem of each path (Statfs) through r, once
// per path.
func (f *Files) GatherFS(r *Root, paths ...string) {
	for _, p := range paths {
		p = Clean(p)
		f.mu.Lock()
		if f.fs == nil {
			f.fs = map[string]fsResult{}
		}
		if _, ok := f.fs[p]; !ok {
			info, err := r.Statfs(p)
			f.fs[p] = fsResult{info, err}
		}
		f.mu.Unlock()
	}
}

// FS returns p's gathered filesystem (GatherFS).
func (f *Files) FS(p string) (FSInfo, error) {
	p = Clean(p)
	if f != nil {
		f.mu.RLock()
		r, ok := f.fs[p]
		f.mu.RUnlock()
		if ok {
			return r.info, r.err
		}
	}
	return FSInfo{}, fmt.Errorf("statfs %s: %w", p, ErrNotGathered)
}

// GatherDirs lists each directory through r and examines every entry in
// it (its lstat and, for a symlink, what it resolves to).
func (f *Files) GatherDirs(r *Root, dirs ...string) {
	rec := &recorder{r: r, f: f}
	for _, d := range dirs {
		names, err := rec.ReadDir(d)
		if err != nil {
			continue
		}
		for _, n := range names {
			rec.examine(Clean(d) + "/" + n)
		}
	}
}

// StatFollow describes what p names, its symlinks followed, from the
// gathered resolution and lstat: what os.Stat says of it. A path whose
// resolution or target was not gathered gives an error matching
// ErrNotGathered; a dangling one, its resolution's error.
func (f *Files) StatFollow(p string) (Stat, error) {
	real, err := f.Resolve(p)
	if err != nil {
		return Stat{}, err
	}
	st, err := f.Lstat(real)
	if err != nil {
		return Stat{}, err
	}
	st.Path, st.Resolved = Clean(p), real
	return st, nil
}

// HostPath is where the in-root path p lives on this machine, for
// matching it against this machine's mount table; it is never opened.
func (f *Files) HostPath(p string) string {
	if d := f.Dir(); d != "/" && d != "" {
		return d + Clean(p)
	}
	return Clean(p)
}
