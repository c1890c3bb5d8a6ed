package daemonconf

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/safedock/safedock/internal/hostfs"
)

// Errors of Write and HardenFile; they match the errors of the shared file
// reader and writer.
var (
	// ErrSymlink: the target is a symbolic link, never written through.
	ErrSymlink = hostfs.ErrSymlink
	// ErrNotRegular: the target is a FIFO, socket, device or directory; it
	// is refused before anything is read from it.
	ErrNotRegular = hostfs.ErrNotRegular
	// ErrHardLinked: the target has more than one hard link.
	ErrHardLinked = hostfs.ErrHardLinked
	// ErrChanged: the file was replaced or modified while it was being
	// rewritten; nothing was written.
	ErrChanged = hostfs.ErrChanged
)

// FileMaxPerm is the loosest mode Write gives daemon.json (CIS 3.18: 644
// or stricter). A stricter original mode is kept.
const FileMaxPerm fs.FileMode = 0o644

// WriteResult says what Write did.
type WriteResult struct {
	Path   string
	Backup string // path of the previous file, "" when there was none
	// Perm, UID and GID are the new file's mode and owner.
	Perm     fs.FileMode
	UID, GID uint32
}

// ReadFile reads a daemon.json without blocking: the path must name a
// regular file (FIFOs, sockets and devices are refused before they are
// opened for reading, a symlink is refused) of at most 4 MiB.
func ReadFile(path string) ([]byte, error) {
	data, _, err := hostfs.ReadFile(path, maxInput)
	return data, err
}

// Write installs data at path atomically. It refuses anything Validate
// rejects (opts say for which engine, command line and host), and a path
// that is a symlink, not a regular file or hard-linked. An existing file is
// read once through a descriptor opened without following symlinks and its
// content saved, from those bytes, to path.bak-TIMESTAMP with the
// original's mode and owner. The new file keeps the original's mode when it
// is 0644 or stricter (a 0600 file stays 0600; looser bits are removed) and
// is owned by root:root when running as root (otherwise it keeps the
// original's owner); a new file is 0644. It is written to a temporary file
// in the same directory, fsynced, renamed over path after checking that
// path still names the file that was read, and the directory is fsynced. On
// failure the original is untouched and no partial backup remains.
func Write(path string, data []byte, opts Options) (WriteResult, error) {
	res := WriteResult{Path: path}
	if err := Validate(data, opts).Err(); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	f, err := hostfs.OpenForReplace(path, maxInput)
	if err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	defer f.Close()
	return replace(f, data)
}

func replace(f *hostfs.File, data []byte) (WriteResult, error) {
	backup := fmt.Sprintf("%s.bak-%s", filepath.Base(f.Path), time.Now().UTC().Format("20060102T150405.000000000Z"))
	r, err := f.Replace(data, hostfs.ReplaceOptions{MaxPerm: FileMaxPerm, NewPerm: FileMaxPerm, RootOwned: true, Backup: backup})
	res := WriteResult{Path: f.Path, Backup: r.Backup, Perm: r.Perm, UID: r.UID, GID: r.GID}
	if err != nil {
		return res, fmt.Errorf("write %s: %w", f.Path, err)
	}
	return res, nil
}

// HardenResult is what HardenFile produced.
type HardenResult struct {
	// Output is the hardened file; Changes what Harden changed.
	Output  []byte
	Changes []Change
	// Written is true when the file was replaced (Write then describes it).
	Written bool
	Write   WriteResult
}

// HardenFile reads the daemon.json at path once (as ReadFile, through a
// descriptor that does not follow symlinks), hardens it with Harden and,
// when write is set and something changed, replaces the file as Write
// does, from that same descriptor: the backup holds exactly the bytes that
// were hardened, and the replacement is refused if the path was swapped or
// the file modified in between.
func HardenFile(path string, opts Options, write bool) (HardenResult, error) {
	var res HardenResult
	if !write {
		data, err := ReadFile(path)
		if err != nil {
			return res, fmt.Errorf("harden %s: %w", path, err)
		}
		res.Output, res.Changes, err = Harden(data, opts)
		return res, err
	}
	f, err := hostfs.OpenForReplace(path, maxInput)
	if err != nil {
		return res, fmt.Errorf("harden %s: %w", path, err)
	}
	defer f.Close()
	if !f.Exists {
		return res, fmt.Errorf("harden %s: %w", path, fs.ErrNotExist)
	}
	out, changes, err := Harden(f.Data, opts)
	res.Output, res.Changes = out, changes
	if err != nil {
		return res, err
	}
	if len(changes) == 0 {
		return res, nil
	}
	w, err := replace(f, out)
	res.Write = w
	if err != nil {
		return res, err
	}
	res.Written = true
	return res, nil
}
