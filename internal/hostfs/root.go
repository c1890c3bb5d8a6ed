package hostfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Root is a directory treated as "/" of the system being examined.
type Root struct {
	dir string
	fd  int
}

// Open opens dir as a root. An empty dir means "/".
func Open(dir string) (*Root, error) {
	if dir == "" {
		dir = "/"
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening root %s: %w", dir, err)
	}
	fd, err := unix.Open(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening root %s: %w", abs, err)
	}
	return &Root{dir: abs, fd: fd}, nil
}

// Dir is the root's absolute directory on this machine.
func (r *Root) Dir() string { return r.dir }

// Live reports whether the root is this machine's own "/".
func (r *Root) Live() bool { return r.dir == "/" }

// Close releases the root's file descriptor.
func (r *Root) Close() error {
	if r == nil || r.fd < 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = -1
	return err
}

// HostPath returns where the in-root path p lives on this machine, for
// messages only: it does not resolve symlinks and must never be opened.
func (r *Root) HostPath(p string) string {
	if r.dir == "/" {
		return Clean(p)
	}
	return r.dir + Clean(p)
}

// Clean returns p as an absolute in-root path: cleaned, with ".." clamped
// at "/" exactly as the kernel does at a root. A relative p is taken
// relative to "/", which is dockerd's working directory.
func Clean(p string) string { return filepath.Clean("/" + p) }

// Stat describes one path inside a root, without following its final
// component.
type Stat struct {
	// Path is the in-root path that was asked for, cleaned.
	Path string
	// Resolved is the in-root path after the directories leading to it were
	// resolved (for example /lib/x when /lib is a symlink to usr/lib gives
	// /usr/lib/x). It equals Path when nothing was resolved.
	Resolved string
	// Mode is the Go file mode (type bits and permissions).
	Mode fs.FileMode
	// Perm holds the raw permission bits, st_mode & 07777 (setuid, setgid
	// and sticky included).
	Perm     uint32
	UID, GID uint32
	Dev, Ino uint64
	// Nlink is the number of hard links to the inode.
	Nlink uint64
	// Link is the symlink's target when Mode is a symlink.
	Link string
}

const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

func rel(p string) string {
	s := strings.TrimPrefix(Clean(p), "/")
	if s == "" {
		return "."
	}
	return s
}

func (r *Root) openat2(dirfd int, p string, flags uint64) (int, error) {
	how := unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: resolveFlags}
	for i := 0; ; i++ {
		fd, err := unix.Openat2(dirfd, p, &how)
		if (errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR)) && i < 16 {
			continue
		}
		if errors.Is(err, unix.ENOSYS) {
			return -1, fmt.Errorf("openat2 is not available (Linux 5.6 or later is needed to confine lookups to the root): %w", err)
		}
		return fd, err
	}
}

// openParent resolves the directory holding p inside the root and returns
// its descriptor and the final name ("" when p is the root itself).
func (r *Root) openParent(p string) (int, string, error) {
	c := Clean(p)
	if c == "/" {
		fd, err := unix.Dup(r.fd)
		return fd, "", err
	}
	dir, base := filepath.Split(c)
	fd, err := r.openat2(r.fd, rel(dir), unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return -1, "", err
	}
	return fd, base, nil
}

// inRoot converts the host path of an open descriptor back to an in-root
// path, or "" when it cannot tell.
func (r *Root) inRoot(fd int) string {
	host, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	if err != nil || !filepath.IsAbs(host) {
		return ""
	}
	if r.dir == "/" {
		return host
	}
	if host == r.dir {
		return "/"
	}
	if strings.HasPrefix(host, r.dir+"/") {
		return strings.TrimPrefix(host, r.dir)
	}
	return ""
}

// Lstat describes p without following its final component; the directories
// leading to it are resolved inside the root. A missing path gives an error
// that matches fs.ErrNotExist.
func (r *Root) Lstat(p string) (Stat, error) {
	pfd, base, err := r.openParent(p)
	if err != nil {
		return Stat{}, fmt.Errorf("resolving %s: %w", Clean(p), err)
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	flags := unix.AT_SYMLINK_NOFOLLOW
	if base == "" {
		flags |= unix.AT_EMPTY_PATH
	}
	if err := unix.Fstatat(pfd, base, &st, flags); err != nil {
		return Stat{}, fmt.Errorf("lstat %s: %w", Clean(p), err)
	}
	s := statFrom(Clean(p), &st)
	if dir := r.inRoot(pfd); dir != "" {
		s.Resolved = filepath.Join(dir, base)
	} else {
		s.Resolved = s.Path
	}
	if s.Mode&fs.ModeSymlink != 0 {
		buf := make([]byte, 4096)
		if n, err := unix.Readlinkat(pfd, base, buf); err == nil {
			s.Link = string(buf[:n])
		}
	}
	return s, nil
}

func statFrom(p string, st *unix.Stat_t) Stat {
	return Stat{
		Path:  p,
		Mode:  goMode(st.Mode),
		Perm:  st.Mode & 0o7777,
		UID:   st.Uid,
		GID:   st.Gid,
		Dev:   uint64(st.Dev), //nolint:unconvert // Dev's width differs by platform
		Ino:   st.Ino,
		Nlink: uint64(st.Nlink), //nolint:unconvert // Nlink's width differs by platform
	}
}

func goMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// ReadFile reads at most max bytes of the regular file p. Symlinks,
// including a final one, are followed inside the root, as the daemon itself
// would follow them; a file larger than max is an error. It never blocks
// and never opens a device for reading: p is first opened with O_PATH and
// its type checked with fstat (a FIFO, socket, device or directory is
// refused with ErrNotRegular), and only that very inode is then opened for
// reading (through /proc/self/fd, with O_NONBLOCK).
func (r *Root) ReadFile(p string, max int64) ([]byte, error) {
	pfd, err := r.openat2(r.fd, rel(p), unix.O_PATH)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", Clean(p), err)
	}
	defer unix.Close(pfd)
	var pst unix.Stat_t
	if err := unix.Fstat(pfd, &pst); err != nil {
		return nil, fmt.Errorf("stat %s: %w", Clean(p), err)
	}
	if pst.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("reading %s: %w (%s)", Clean(p), ErrNotRegular, kindName(pst.Mode))
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(pfd), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", Clean(p), err)
	}
	f := os.NewFile(uintptr(fd), Clean(p))
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", Clean(p), err)
	}
	if st.Dev != pst.Dev || st.Ino != pst.Ino || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("reading %s: %w", Clean(p), ErrChanged)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", Clean(p), err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("reading %s: larger than %d bytes", Clean(p), max)
	}
	return data, nil
}

// ReadDir lists the names in directory p (symlinks followed inside the
// root), sorted.
func (r *Root) ReadDir(p string) ([]string, error) {
	fd, err := r.openat2(r.fd, rel(p), unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, fmt.Errorf("opening directory %s: %w", Clean(p), err)
	}
	f := os.NewFile(uintptr(fd), Clean(p))
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("reading directory %s: %w", Clean(p), err)
	}
	sortStrings(names)
	return names, nil
}

// Exists reports whether p exists (without following its final component).
func (r *Root) Exists(p string) bool {
	_, err := r.Lstat(p)
	return err == nil
}

// Handle is an O_PATH descriptor of one file inside a root, opened without
// following its final component, used to change that very inode.
type Handle struct {
	fd   int
	Stat Stat
}

// OpenHandle opens p for SetOwner and SetMode. A symlink is opened as the
// link itself, never its target.
func (r *Root) OpenHandle(p string) (*Handle, error) {
	pfd, base, err := r.openParent(p)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", Clean(p), err)
	}
	defer unix.Close(pfd)
	var fd int
	if base == "" {
		fd, err = unix.Dup(pfd)
	} else {
		// The final component is opened relative to the resolved parent with
		// O_NOFOLLOW: no symlink is ever followed here.
		fd, err = unix.Openat(pfd, base, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", Clean(p), err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("stat %s: %w", Clean(p), err)
	}
	h := &Handle{fd: fd, Stat: statFrom(Clean(p), &st)}
	if dir := r.inRoot(pfd); dir != "" {
		h.Stat.Resolved = filepath.Join(dir, base)
	} else {
		h.Stat.Resolved = h.Stat.Path
	}
	return h, nil
}

// Close releases the handle.
func (h *Handle) Close() error { return unix.Close(h.fd) }

// SetOwner changes the owner and group of the handle's inode. It refuses a
// symlink.
func (h *Handle) SetOwner(uid, gid uint32) error {
	if h.Stat.Mode&fs.ModeSymlink != 0 {
		return fmt.Errorf("chown %s: refusing to change a symlink", h.Stat.Path)
	}
	if err := unix.Fchownat(h.fd, "", int(uid), int(gid), unix.AT_EMPTY_PATH); err != nil {
		return fmt.Errorf("chown %s: %w", h.Stat.Path, err)
	}
	return nil
}

// SetMode changes the permission bits (07777) of the handle's inode. It
// refuses a symlink.
func (h *Handle) SetMode(perm uint32) error {
	if h.Stat.Mode&fs.ModeSymlink != 0 {
		return fmt.Errorf("chmod %s: refusing to change a symlink", h.Stat.Path)
	}
	err := unix.Fchmodat(h.fd, "", perm&0o7777, unix.AT_EMPTY_PATH)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		// Kernels before 6.6 have no fchmodat2; chmod through the
		// descriptor's /proc entry reaches the same inode (it is not a
		// symlink, so nothing else can be reached).
		err = unix.Chmod("/proc/self/fd/"+strconv.Itoa(h.fd), perm&0o7777)
	}
	if err != nil {
		return fmt.Errorf("chmod %s: %w", h.Stat.Path, err)
	}
	return nil
}

// Refresh re-reads the handle's inode metadata.
func (h *Handle) Refresh() error {
	var st unix.Stat_t
	if err := unix.Fstat(h.fd, &st); err != nil {
		return fmt.Errorf("stat %s: %w", h.Stat.Path, err)
	}
	s := statFrom(h.Stat.Path, &st)
	s.Resolved = h.Stat.Resolved
	h.Stat = s
	return nil
}

// Resolve follows every symlink in p, including the final one, inside the
// root, and returns the in-root path of what it names.
func (r *Root) Resolve(p string) (string, error) {
	fd, err := r.openat2(r.fd, rel(p), unix.O_PATH)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", Clean(p), err)
	}
	defer unix.Close(fd)
	if s := r.inRoot(fd); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("resolving %s: cannot tell where it leads", Clean(p))
}
