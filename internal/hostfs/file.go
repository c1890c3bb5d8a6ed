package hostfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Errors of the file reader and writer, for errors.Is.
var (
	// ErrNotRegular: the path is a FIFO, socket, device or directory. Such a
	// file is refused before anything is read from it (a FIFO without a
	// writer would block a reader forever).
	ErrNotRegular = errors.New("not a regular file")
	// ErrSymlink: the final component is a symbolic link, which is never
	// followed.
	ErrSymlink = errors.New("refusing a symbolic link")
	// ErrHardLinked: the file has more than one hard link; changing it
	// would change the other names too, possibly outside the directory the
	// caller meant.
	ErrHardLinked = errors.New("refusing a file with more than one hard link")
	// ErrChanged: the file was replaced or modified between the read and
	// the write; nothing was written.
	ErrChanged = errors.New("the file changed while it was being replaced")
)

// FileInfo is what a File knew about the file it read, from fstat of the
// open descriptor.
type FileInfo struct {
	Perm     fs.FileMode // permission bits (0777)
	UID, GID uint32
	Dev, Ino uint64
	Nlink    uint64
	Size     int64
	ctime    unix.Timespec
	mtime    unix.Timespec
}

// File is a regular file read once through a descriptor opened without
// following symlinks, kept open (with its directory) so that a backup and
// a replacement refer to that very file and directory, never to whatever
// the path names later.
type File struct {
	// Path is the path as given.
	Path string
	// Data is the file's content, read once.
	Data []byte
	// Exists is false when OpenForReplace found no file (Data is nil).
	Exists bool
	Info   FileInfo

	dir  int // O_RDONLY|O_DIRECTORY descriptor of the parent
	fd   int // O_RDONLY|O_NOFOLLOW descriptor of the file, or -1
	base string
}

// Test hooks (nil in production): hookAfterRead runs once the content was
// read; hookBackupWrite runs halfway through writing a backup, with the
// bytes being written, and may fail the write.
var (
	hookAfterRead   func()
	hookBackupWrite func(data []byte) error
)

// ReadFile reads at most max bytes of the regular file at path (a path of
// this machine). It never blocks on a FIFO and never opens a device: the
// final component is examined with lstat first and refused unless it is a
// regular file, then opened with O_NOFOLLOW|O_NONBLOCK and checked again
// with fstat. A symlink is refused (ErrSymlink), as are FIFOs, sockets and
// devices (ErrNotRegular) and files larger than max.
func ReadFile(path string, max int64) ([]byte, FileInfo, error) {
	f, err := open(path, max, false)
	if err != nil {
		return nil, FileInfo{}, err
	}
	defer f.Close()
	return f.Data, f.Info, nil
}

// OpenForReplace reads the file at path as ReadFile does and keeps it open
// for Replace. It also refuses a file with more than one hard link
// (ErrHardLinked). A missing file is not an error: the result has Exists
// false and Replace creates it.
func OpenForReplace(path string, max int64) (*File, error) {
	return open(path, max, true)
}

func open(path string, max int64, forWrite bool) (*File, error) {
	if path == "" {
		return nil, errors.New("opening a file: no path given")
	}
	dirName, base := filepath.Split(filepath.Clean(path))
	if dirName == "" {
		dirName = "."
	}
	if base == "" || base == "." || base == ".." || base == "/" {
		return nil, fmt.Errorf("opening %s: %w", path, ErrNotRegular)
	}
	dir, err := unix.Open(dirName, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the directory of %s: %w", path, &fs.PathError{Op: "open", Path: dirName, Err: err})
	}
	return openIn(dir, base, path, max, forWrite)
}

// OpenForReplaceIn is OpenForReplace for the file name in the open
// directory dir, for a directory the caller resolved its own way (inside
// an os.Root, say): name is one path component, path names the file in
// messages. The File holds its own descriptor of dir; the caller closes
// dir when it likes.
func OpenForReplaceIn(dir *os.File, name, path string, max int64) (*File, error) {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name {
		return nil, fmt.Errorf("opening %s: %q is not a file name", path, name)
	}
	raw, err := dir.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("opening the directory of %s: %w", path, err)
	}
	dup := -1
	var dupErr error
	if err := raw.Control(func(fd uintptr) { dup, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, fmt.Errorf("opening the directory of %s: %w", path, err)
	}
	if dupErr != nil {
		return nil, fmt.Errorf("opening the directory of %s: %w", path, dupErr)
	}
	var st unix.Stat_t
	if err := unix.Fstat(dup, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		_ = unix.Close(dup)
		return nil, fmt.Errorf("opening the directory of %s: not a directory", path)
	}
	return openIn(dup, name, path, max, true)
}

// openIn opens base in the directory dir (whose descriptor the File then
// owns, closed on failure).
func openIn(dir int, base, path string, max int64, forWrite bool) (*File, error) {
	f := &File{Path: path, dir: dir, fd: -1, base: base}
	fail := func(err error) (*File, error) {
		f.Close()
		return nil, err
	}
	var lst unix.Stat_t
	if err := unix.Fstatat(dir, base, &lst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) && forWrite {
			return f, nil
		}
		return fail(fmt.Errorf("reading %s: %w", path, &fs.PathError{Op: "lstat", Path: path, Err: err}))
	}
	if err := regular(path, lst.Mode); err != nil {
		return fail(err)
	}
	fd, err := unix.Openat(dir, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return fail(fmt.Errorf("reading %s: %w", path, ErrSymlink))
		}
		return fail(fmt.Errorf("reading %s: %w", path, &fs.PathError{Op: "open", Path: path, Err: err}))
	}
	f.fd = fd
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fail(fmt.Errorf("reading %s: %w", path, err))
	}
	if err := regular(path, st.Mode); err != nil {
		return fail(err)
	}
	if st.Dev != lst.Dev || st.Ino != lst.Ino {
		return fail(fmt.Errorf("reading %s: %w", path, ErrChanged))
	}
	f.Exists = true
	f.Info = infoFrom(&st)
	if forWrite && st.Nlink > 1 {
		return fail(fmt.Errorf("reading %s: %w (it has %d)", path, ErrHardLinked, st.Nlink))
	}
	if st.Size > max {
		return fail(fmt.Errorf("reading %s: larger than %d bytes", path, max))
	}
	data, err := readAll(fd, max)
	if err != nil {
		return fail(fmt.Errorf("reading %s: %w", path, err))
	}
	f.Data = data
	if hookAfterRead != nil {
		hookAfterRead()
	}
	return f, nil
}

func regular(path string, mode uint32) error {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return nil
	case unix.S_IFLNK:
		return fmt.Errorf("reading %s: %w", path, ErrSymlink)
	}
	return fmt.Errorf("reading %s: %w (%s)", path, ErrNotRegular, kindName(mode))
}

func kindName(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "a named pipe"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFDIR:
		return "a directory"
	}
	return "a special file"
}

func infoFrom(st *unix.Stat_t) FileInfo {
	return FileInfo{
		Perm: fs.FileMode(st.Mode & 0o777), UID: st.Uid, GID: st.Gid,
		Dev: uint64(st.Dev), Ino: st.Ino, Nlink: uint64(st.Nlink), Size: st.Size, //nolint:unconvert // widths differ by platform
		ctime: st.Ctim, mtime: st.Mtim,
	}
}

func readAll(fd int, max int64) ([]byte, error) {
	buf := make([]byte, 0, 4096)
	chunk := make([]byte, 32<<10)
	for {
		n, err := unix.Read(fd, chunk)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = append(buf, chunk[:n]...)
		if int64(len(buf)) > max {
			return nil, fmt.Errorf("larger than %d bytes", max)
		}
	}
}

// Close releases the file's descriptors.
func (f *File) Close() error {
	if f == nil {
		return nil
	}
	var errs []error
	if f.fd >= 0 {
		errs = append(errs, unix.Close(f.fd))
		f.fd = -1
	}
	if f.dir >= 0 {
		errs = append(errs, unix.Close(f.dir))
		f.dir = -1
	}
	return errors.Join(errs...)
}

// ReplaceOptions say how Replace writes.
type ReplaceOptions struct {
	// MaxPerm is the loosest mode the new file may have: it keeps the
	// original's permission bits less any outside MaxPerm, so a 0600 file
	// stays 0600 and a 0666 one becomes 0644 under MaxPerm 0644. Zero keeps
	// the original's bits as they are.
	MaxPerm fs.FileMode
	// NewPerm is the mode of a file that did not exist (0: 0600), also
	// limited by MaxPerm.
	NewPerm fs.FileMode
	// RootOwned makes the new file root:root when the caller may chown
	// (that is, runs as root); otherwise the new file keeps the original's
	// owner and group. Without RootOwned the original's owner and group are
	// always kept. A new file is owned by the caller (root:root with
	// RootOwned when root).
	RootOwned bool
	// Backup, when not empty, is the name (in the same directory) under
	// which the original's content is saved first, with its mode, owner
	// and group. The name must not exist yet.
	Backup string
}

// ReplaceResult says what Replace did.
type ReplaceResult struct {
	Path string
	// Backup is the path of the saved original ("" when there was none).
	Backup   string
	Perm     fs.FileMode
	UID, GID uint32
}

// Replace installs data in place of the file atomically: it saves the
// content read by OpenForReplace (never re-reading the path) to the backup,
// writes data to a temporary file in the same directory with the mode and
// owner ReplaceOptions decide, fsyncs it, checks that the path still names
// the very file that was read, unmodified (ErrChanged otherwise), renames
// the temporary file over it and fsyncs the directory. On any failure the
// original is untouched and neither a partial backup nor a temporary file
// is left behind. A File is replaced at most once.
func (f *File) Replace(data []byte, opts ReplaceOptions) (ReplaceResult, error) {
	res := ReplaceResult{Path: f.Path}
	if f.dir < 0 {
		return res, fmt.Errorf("replacing %s: the file is closed", f.Path)
	}
	perm, uid, gid := f.target(opts)
	var backup string
	if f.Exists && opts.Backup != "" {
		if filepath.Base(opts.Backup) != opts.Backup || opts.Backup == f.base {
			return res, fmt.Errorf("replacing %s: backup name %q must be another name in the same directory", f.Path, opts.Backup)
		}
		if err := f.writeNew(opts.Backup, f.Data, f.Info.Perm, f.Info.UID, f.Info.GID, hookBackupWrite); err != nil {
			return res, fmt.Errorf("replacing %s: writing the backup: %w", f.Path, err)
		}
		backup = opts.Backup
	}
	removeBackup := func() {
		if backup != "" {
			_ = unix.Unlinkat(f.dir, backup, 0)
		}
	}
	tmp := "." + f.base + ".tmp-" + randomHex()
	if err := f.writeNew(tmp, data, perm, uid, gid, nil); err != nil {
		removeBackup()
		return res, fmt.Errorf("replacing %s: %w", f.Path, err)
	}
	if err := f.unchanged(); err != nil {
		_ = unix.Unlinkat(f.dir, tmp, 0)
		removeBackup()
		return res, fmt.Errorf("replacing %s: %w", f.Path, err)
	}
	var err error
	if f.Exists {
		err = unix.Renameat(f.dir, tmp, f.dir, f.base)
	} else {
		err = unix.Renameat2(f.dir, tmp, f.dir, f.base, unix.RENAME_NOREPLACE)
	}
	if err != nil {
		_ = unix.Unlinkat(f.dir, tmp, 0)
		removeBackup()
		if errors.Is(err, unix.EEXIST) {
			err = ErrChanged
		}
		return res, fmt.Errorf("replacing %s: renaming the new file into place: %w", f.Path, err)
	}
	if err := unix.Fsync(f.dir); err != nil {
		return res, fmt.Errorf("replacing %s: syncing the directory: %w", f.Path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(f.dir, f.base, &st, unix.AT_SYMLINK_NOFOLLOW); err == nil {
		res.Perm, res.UID, res.GID = fs.FileMode(st.Mode&0o777), st.Uid, st.Gid
	}
	if backup != "" {
		res.Backup = filepath.Join(filepath.Dir(f.Path), backup)
	}
	// The descriptor now names the old, unlinked inode: refuse a second
	// Replace through it.
	f.Close()
	return res, nil
}

// target decides the new file's mode and owner.
func (f *File) target(opts ReplaceOptions) (perm fs.FileMode, uid, gid uint32) {
	if f.Exists {
		perm = f.Info.Perm
	} else {
		perm = opts.NewPerm & 0o777
		if perm == 0 {
			perm = 0o600
		}
	}
	if opts.MaxPerm != 0 {
		perm &= opts.MaxPerm & 0o777
	}
	uid, gid = uint32(os.Geteuid()), uint32(os.Getegid())
	if f.Exists {
		uid, gid = f.Info.UID, f.Info.GID
	}
	if opts.RootOwned && os.Geteuid() == 0 {
		uid, gid = 0, 0
	}
	return perm, uid, gid
}

// writeNew creates name (which must not exist) in the directory, writes
// data, sets owner and mode through the descriptor, fsyncs and closes it;
// on failure the file is removed. hook, when set, is called halfway
// through the write and may fail it (tests).
func (f *File) writeNew(name string, data []byte, perm fs.FileMode, uid, gid uint32, hook func([]byte) error) (err error) {
	fd, err := unix.Openat(f.dir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &fs.PathError{Op: "create", Path: name, Err: err}
	}
	defer func() {
		if cerr := unix.Close(fd); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			_ = unix.Unlinkat(f.dir, name, 0)
		}
	}()
	half := len(data) / 2
	if err := writeAll(fd, data[:half]); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if hook != nil {
		if err := hook(data); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	if err := writeAll(fd, data[half:]); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := unix.Fchown(fd, int(uid), int(gid)); err != nil {
		return fmt.Errorf("chown %d:%d %s: %w", uid, gid, name, err)
	}
	if err := unix.Fchmod(fd, uint32(perm&0o777)); err != nil {
		return fmt.Errorf("chmod %04o %s: %w", perm, name, err)
	}
	if err := unix.Fsync(fd); err != nil {
		return fmt.Errorf("syncing %s: %w", name, err)
	}
	return nil
}

func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// unchanged checks that the path still names the file that was read (or
// still names nothing) and that it was not modified since.
func (f *File) unchanged() error {
	var st unix.Stat_t
	err := unix.Fstatat(f.dir, f.base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if !f.Exists {
		if err == nil {
			return ErrChanged
		}
		return nil
	}
	if err != nil || uint64(st.Dev) != f.Info.Dev || st.Ino != f.Info.Ino { //nolint:unconvert // Dev's width differs by platform
		return ErrChanged
	}
	var now unix.Stat_t
	if err := unix.Fstat(f.fd, &now); err != nil {
		return err
	}
	if now.Ctim != f.Info.ctime || now.Mtim != f.Info.mtime || now.Size != f.Info.Size {
		return ErrChanged
	}
	if now.Nlink > 1 {
		return ErrHardLinked
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
