package authz

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
)

// Default install locations.
const (
	DefaultSocket   = "/run/safedock/authz.sock"
	DefaultSpecPath = "/etc/docker/plugins/safedock.spec"
	DefaultUnitPath = "/etc/systemd/system/safedock-authz.service"
	// PluginName is the name daemon.json's authorization-plugins lists.
	PluginName = "safedock"
)

// InstallOptions say where Install writes and what the unit runs.
type InstallOptions struct {
	// Root is prepended to every path written ("/" for the live system,
	// a scratch directory in tests).
	Root string
	// Socket is the plugin's socket (default DefaultSocket).
	Socket string
	// Binary is the safedock executable the unit runs.
	Binary string
	// ServeArgs are extra "authz serve" arguments (--waivers, --log, --mode).
	ServeArgs []string
}

// Installed lists the files Install wrote, as paths under Root.
type Installed struct {
	Spec, Unit string
}

// Install writes the plugin spec file (/etc/docker/plugins/safedock.spec,
// holding unix://SOCKET, mode 0644) and a systemd unit that starts
// "safedock authz serve" before docker.service with Restart=always. Each
// file is written to a temporary file and renamed into place; no symlink
// is followed: a symlink in any directory of the path, or at the file
// itself, is an error.
func Install(opts InstallOptions) (Installed, error) {
	if opts.Root == "" {
		return Installed{}, errors.New("install authz plugin: no root directory (use / for the live system)")
	}
	if opts.Socket == "" {
		opts.Socket = DefaultSocket
	}
	if !path.IsAbs(opts.Socket) || path.Clean(opts.Socket) != opts.Socket {
		return Installed{}, fmt.Errorf("install authz plugin: socket %q is not a clean absolute path", opts.Socket)
	}
	if opts.Binary == "" || !path.IsAbs(opts.Binary) {
		return Installed{}, fmt.Errorf("install authz plugin: binary %q is not an absolute path", opts.Binary)
	}
	for _, a := range append([]string{opts.Binary, opts.Socket}, opts.ServeArgs...) {
		if strings.ContainsAny(a, " \t\n\"'\\%$;") {
			return Installed{}, fmt.Errorf("install authz plugin: argument %q needs quoting in a unit file: use a path without spaces or special characters", a)
		}
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return Installed{}, fmt.Errorf("install authz plugin: %w", err)
	}
	defer root.Close()
	spec := "unix://" + opts.Socket + "\n"
	args := append([]string{opts.Binary, "authz", "serve", "--socket", opts.Socket}, opts.ServeArgs...)
	unit := `[Unit]
Description=safedock Docker authorization plugin
Documentation=https://github.com/safedock/safedock/blob/main/docs/authz.md
Before=docker.service

[Service]
Type=simple
ExecStart=` + strings.Join(args, " ") + `
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target docker.service
`
	if err := writeNoFollow(root, DefaultSpecPath, []byte(spec), 0o644); err != nil {
		return Installed{}, fmt.Errorf("install authz plugin: %w", err)
	}
	if err := writeNoFollow(root, DefaultUnitPath, []byte(unit), 0o644); err != nil {
		return Installed{}, fmt.Errorf("install authz plugin: %w", err)
	}
	return Installed{Spec: DefaultSpecPath, Unit: DefaultUnitPath}, nil
}

// writeNoFollow writes name (absolute, under root) atomically: every
// directory is created (0755) or checked to be a real directory, the file
// itself must not be a symlink, and the content is installed by hostfs's
// one writer (a fresh temporary file in the same directory, given mode
// and owner, synced and renamed over name; nothing left on failure).
func writeNoFollow(root *os.Root, name string, data []byte, mode fs.FileMode) error {
	rel := strings.TrimPrefix(path.Clean(name), "/")
	dir := path.Dir(rel)
	cur := ""
	for _, part := range strings.Split(dir, "/") {
		if part == "." || part == "" {
			continue
		}
		cur = path.Join(cur, part)
		fi, err := root.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := root.Mkdir(cur, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("creating /%s: %w", cur, err)
			}
			if fi, err = root.Lstat(cur); err != nil {
				return fmt.Errorf("checking /%s: %w", cur, err)
			}
		case err != nil:
			return fmt.Errorf("checking /%s: %w", cur, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("writing %s: /%s is a symlink: refusing to follow it", name, cur)
		}
		if !fi.IsDir() {
			return fmt.Errorf("writing %s: /%s is not a directory", name, cur)
		}
	}
	if fi, err := root.Lstat(rel); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("writing %s: it is a symlink: refusing to follow or replace it", name)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("writing %s: it exists and is not a regular file", name)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", name, err)
	}
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("opening the directory of %s: %w", name, err)
	}
	defer d.Close()
	f, err := hostfs.OpenForReplaceIn(d, path.Base(rel), name, maxInstalled)
	if err != nil {
		if errors.Is(err, hostfs.ErrSymlink) {
			return fmt.Errorf("writing %s: it is a symlink: refusing to follow or replace it: %w", name, err)
		}
		return fmt.Errorf("writing %s: %w", name, err)
	}
	defer f.Close()
	if _, err := f.Replace(data, hostfs.ReplaceOptions{MaxPerm: mode, NewPerm: mode, RootOwned: true}); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// maxInstalled bounds how much of a file Install replaces it reads first.
const maxInstalled = 1 << 20
