package daemonconf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrSymlink is returned by Write when the target is a symbolic link.
var ErrSymlink = errors.New("refusing to write through a symbolic link")

// WriteResult says what Write did.
type WriteResult struct {
	Path   string
	Backup string // path of the previous file, "" when there was none
}

// Write installs data at path atomically: it refuses anything Validate
// rejects (opts say for which engine, command line and host), refuses a
// symlink at path, copies an existing file to path.bak-TIMESTAMP, writes a
// temporary file in the same directory with mode 0644 owned by root:root
// (when running as root), fsyncs it and renames it over path.
func Write(path string, data []byte, opts Options) (WriteResult, error) {
	res := WriteResult{Path: path}
	if err := Validate(data, opts).Err(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return res, fmt.Errorf("write %s: %w", path, ErrSymlink)
	case err == nil && !fi.Mode().IsRegular():
		return res, fmt.Errorf("write %s: not a regular file", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err == nil {
		old, err := readNoFollow(path)
		if err != nil {
			return res, fmt.Errorf("write %s: reading the old file: %w", path, err)
		}
		backup := fmt.Sprintf("%s.bak-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
		if err := writeFile(backup, old, fi.Mode().Perm()); err != nil {
			return res, fmt.Errorf("write %s: backup: %w", path, err)
		}
		res.Backup = backup
	}
	tmp, err := os.CreateTemp(dir, ".daemon.json.tmp-*")
	if err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return res, fmt.Errorf("write %s: chmod: %w", path, err)
	}
	if os.Geteuid() == 0 {
		if err := tmp.Chown(0, 0); err != nil {
			tmp.Close()
			return res, fmt.Errorf("write %s: chown root:root: %w", path, err)
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return res, fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	// Re-check: a symlink may have appeared since the Lstat.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return res, fmt.Errorf("write %s: %w", path, ErrSymlink)
	}
	if err := os.Rename(name, path); err != nil {
		return res, fmt.Errorf("write %s: rename: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return res, nil
}

func readNoFollow(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxInput {
		return nil, fmt.Errorf("file is larger than %d bytes", maxInput)
	}
	buf := make([]byte, st.Size())
	_, err = f.ReadAt(buf, 0)
	if err != nil && st.Size() > 0 {
		return nil, err
	}
	return buf, nil
}

func writeFile(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm&0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
