package authz

import (
	"bytes"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/safedock/safedock/hardening"
	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// WaiverSource answers whether an approved waiver covers a rule for a
// target ("container:NAME", "service:NAME", "plugin:NAME", "swarm:join",
// "build:TAG"). reason is what the decision log records. Implementations
// must be safe for concurrent use.
type WaiverSource interface {
	Waive(id rule.ID, target string) (reason string, ok bool)
}

// FileWaivers are the approved waivers of a waiver file, the same file
// and format as safedock audit --waivers (rule.ParseWaivers): the plugin
// and the audit judge one list. The zero value has none.
type FileWaivers struct {
	File *rule.WaiverFile
	// Now is the clock expiry is judged by (default time.Now).
	Now func() time.Time
}

// Waive implements WaiverSource: an entry for id whose target glob matches
// target and that has not expired.
func (f *FileWaivers) Waive(id rule.ID, target string) (string, bool) {
	if f == nil || f.File == nil {
		return "", false
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	t := now()
	e, ok := f.File.Lookup(id, target, t)
	if !ok || e.Expired(t) {
		return "", false
	}
	return fmt.Sprintf("%s (approved by %s, expires %s)", e.Reason, e.ApprovedBy, e.ExpiresOn()), true
}

// Catalog is the rules a waiver file for the plugin may name by default:
// the container and image rules it judges and its own (Rules). A file
// shared with the whole-host audit names other rules too: pass that
// catalog to LoadWaivers instead.
func Catalog() rule.Catalog {
	return slices.Concat(hardening.Rules(), hardening.ImageRules(), Rules())
}

// LoadWaivers reads a waiver file (YAML, a top-level "waivers" list; see
// docs/authz.md) without following a symlink and refusing FIFOs and other
// special files, and parses it as ParseWaivers does, checking rule IDs
// against cat (nil: Catalog()).
func LoadWaivers(file string, cat rule.Catalog) (*FileWaivers, error) {
	b, _, err := hostfs.ReadFile(file, rule.MaxWaiverFile)
	if err != nil {
		return nil, fmt.Errorf("reading waiver file: %w", err)
	}
	return parseWaivers(b, file, cat)
}

// ParseWaivers parses the content of a waiver file with rule.ParseWaivers
// (every entry needs a known rule ID, a target glob, a reason, an expiry
// date and who approved it; unknown keys are errors) against Catalog(). An
// empty file has no waivers. An entry for authz.judgeable is refused: that
// rule cannot be waived.
func ParseWaivers(data []byte) (*FileWaivers, error) { return parseWaivers(data, "waivers", nil) }

func parseWaivers(data []byte, name string, cat rule.Catalog) (*FileWaivers, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return &FileWaivers{File: &rule.WaiverFile{Name: name}}, nil
	}
	if cat == nil {
		cat = Catalog()
	}
	f, err := rule.ParseWaivers(data, name, cat)
	if err != nil {
		return nil, err
	}
	for _, e := range f.Entries {
		if e.Rule == AuthzJudgeable {
			return nil, fmt.Errorf("parsing waivers: %s:%d: %s cannot be waived: a request the plugin cannot judge is always denied", name, e.Line, AuthzJudgeable)
		}
	}
	return &FileWaivers{File: f}, nil
}

// ReloadableWaivers is a WaiverSource whose file can be read again while
// the plugin serves (safedock authz serve reloads on SIGHUP): restarting the
// plugin to pick up a new waiver would make dockerd refuse requests
// meanwhile. A reload that fails keeps the waivers in force.
type ReloadableWaivers struct {
	file string
	cat  rule.Catalog
	cur  atomic.Pointer[FileWaivers]
}

// NewReloadableWaivers loads file (see LoadWaivers; cat nil: Catalog()).
func NewReloadableWaivers(file string, cat rule.Catalog) (*ReloadableWaivers, error) {
	r := &ReloadableWaivers{file: file, cat: cat}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the file again; on error the previous waivers stay.
func (r *ReloadableWaivers) Reload() error {
	w, err := LoadWaivers(r.file, r.cat)
	if err != nil {
		return err
	}
	r.cur.Store(w)
	return nil
}

// Waive implements WaiverSource.
func (r *ReloadableWaivers) Waive(id rule.ID, target string) (string, bool) {
	return r.cur.Load().Waive(id, target)
}
