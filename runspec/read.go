package runspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// MaxConfigSize is the largest config.json ReadConfig accepts (Docker's
// default seccomp profile makes a real one about 40 KiB).
const MaxConfigSize = 4 << 20

// ErrNotSpec is wrapped by the errors for input that is not an OCI runtime
// spec: malformed JSON, unknown fields, trailing data, no ociVersion.
var ErrNotSpec = errors.New("not an OCI runtime spec")

// ReadConfig decodes one OCI runtime spec from r, strictly: unknown fields
// are rejected with their name, as are trailing data, documents larger than
// MaxConfigSize and a missing or non-1.x ociVersion.
func ReadConfig(r io.Reader) (*specs.Spec, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if len(b) > MaxConfigSize {
		return nil, fmt.Errorf("reading config: larger than %d bytes", MaxConfigSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var spec specs.Spec
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotSpec, strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: trailing data after the JSON document", ErrNotSpec)
	}
	if spec.Version == "" {
		return nil, fmt.Errorf("%w: no ociVersion", ErrNotSpec)
	}
	if !strings.HasPrefix(spec.Version, "1.") {
		return nil, fmt.Errorf("%w: ociVersion %q is not 1.x", ErrNotSpec, spec.Version)
	}
	return &spec, nil
}

// ConfigPath resolves a bundle directory or a file name to the config.json
// path. It does not open the file.
func ConfigPath(pathOrBundle string) (string, error) {
	if pathOrBundle == "" {
		return "", errors.New("no bundle or config.json given")
	}
	fi, err := os.Stat(pathOrBundle)
	if err != nil {
		return "", fmt.Errorf("resolving config: %w", err)
	}
	p := pathOrBundle
	if fi.IsDir() {
		p = filepath.Join(pathOrBundle, "config.json")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolving config: %w", err)
	}
	return abs, nil
}

// LoadFile reads the config.json of a bundle directory (or the named file).
// It never blocks: a config.json that is a symlink, a FIFO, a socket or a
// device is refused before anything is read from it (it is examined with
// lstat, opened with O_NOFOLLOW|O_NONBLOCK and checked again with fstat).
// It returns the spec, the absolute path read and the file's mode.
func LoadFile(pathOrBundle string) (*specs.Spec, string, fs.FileMode, error) {
	p, err := ConfigPath(pathOrBundle)
	if err != nil {
		return nil, "", 0, err
	}
	data, info, err := hostfs.ReadFile(p, MaxConfigSize)
	if err != nil {
		if errors.Is(err, hostfs.ErrSymlink) {
			return nil, p, 0, fmt.Errorf("opening %s: refusing a symlinked config.json", p)
		}
		return nil, p, 0, fmt.Errorf("opening config: %w", err)
	}
	spec, err := ReadConfig(bytes.NewReader(data))
	if err != nil {
		return nil, p, 0, fmt.Errorf("%s: %w", p, err)
	}
	return spec, p, info.Perm, nil
}

// CheckFile checks the config.json of a bundle directory (or the named
// file) and returns the report, with target "spec:<absolute path>".
func CheckFile(pathOrBundle string) (rule.Report, error) {
	spec, p, _, err := LoadFile(pathOrBundle)
	if err != nil {
		return rule.Report{}, fmt.Errorf("runspec check: %w", err)
	}
	return rule.NewReport(check(spec, "spec:"+p, detectHost())), nil
}
