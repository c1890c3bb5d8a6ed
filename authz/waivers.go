package authz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/safedock/safedock/rule"
)

// WaiverSource answers whether an approved waiver covers a rule for a
// target ("container:NAME", "service:NAME", "plugin:NAME", "swarm:join",
// "build:TAG"). reason is what the decision log records. Implementations
// must be safe for concurrent use.
type WaiverSource interface {
	Waive(id rule.ID, target string) (reason string, ok bool)
}

// Waiver is one approved entry of a waiver file.
type Waiver struct {
	Rule rule.ID `yaml:"rule"`
	// Target is a glob (path.Match) on the target, e.g. "container:emulator"
	// or "container:ci-*".
	Target     string `yaml:"target"`
	Reason     string `yaml:"reason"`
	Expires    string `yaml:"expires"` // YYYY-MM-DD, last day the waiver holds (UTC)
	ApprovedBy string `yaml:"approved-by"`

	expires time.Time // the first instant it no longer holds
}

// FileWaivers are the waivers of a waiver file. The zero value has none.
type FileWaivers struct {
	Waivers []Waiver
	// Now is the clock expiry is judged by (default time.Now).
	Now func() time.Time
}

// Waive implements WaiverSource: the first waiver for id whose target glob
// matches target and that has not expired.
func (f *FileWaivers) Waive(id rule.ID, target string) (string, bool) {
	if f == nil || len(f.Waivers) == 0 {
		return "", false
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	var t time.Time
	for i := range f.Waivers {
		w := &f.Waivers[i]
		if w.Rule != id {
			continue
		}
		if ok, _ := path.Match(w.Target, target); !ok {
			continue
		}
		if t.IsZero() {
			t = now()
		}
		if !w.expires.IsZero() && !t.Before(w.expires) {
			continue
		}
		return fmt.Sprintf("%s (approved by %s, expires %s)", w.Reason, w.ApprovedBy, w.Expires), true
	}
	return "", false
}

// LoadWaivers reads a waiver file (YAML, a top-level "waivers" list; see
// docs/authz.md). Every entry needs a valid rule ID, a target glob, a
// reason, an expiry date and who approved it; unknown keys are errors. An
// entry for authz.judgeable is refused: that rule cannot be waived.
func LoadWaivers(file string) (*FileWaivers, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading waiver file: %w", err)
	}
	w, err := ParseWaivers(b)
	if err != nil {
		return nil, fmt.Errorf("reading waiver file %s: %w", file, err)
	}
	return w, nil
}

// ParseWaivers parses the content of a waiver file (see LoadWaivers).
func ParseWaivers(data []byte) (*FileWaivers, error) {
	var doc struct {
		Waivers []Waiver `yaml:"waivers"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parsing waivers: %w", err)
	}
	var errs []error
	for i := range doc.Waivers {
		w := &doc.Waivers[i]
		if err := w.validate(); err != nil {
			errs = append(errs, fmt.Errorf("waiver %d (%s %s): %w", i+1, w.Rule, w.Target, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &FileWaivers{Waivers: doc.Waivers}, nil
}

func (w *Waiver) validate() error {
	var problems []string
	if !w.Rule.Valid() {
		problems = append(problems, fmt.Sprintf("rule %q is not a rule ID", w.Rule))
	}
	if w.Rule == RuleJudgeable {
		problems = append(problems, "authz.judgeable cannot be waived")
	}
	if strings.TrimSpace(w.Target) == "" {
		problems = append(problems, "no target")
	} else if _, err := path.Match(w.Target, ""); err != nil {
		problems = append(problems, fmt.Sprintf("target %q is not a valid glob", w.Target))
	}
	if strings.TrimSpace(w.Reason) == "" {
		problems = append(problems, "no reason")
	}
	if strings.TrimSpace(w.ApprovedBy) == "" {
		problems = append(problems, "no approved-by")
	}
	if w.Expires == "" {
		problems = append(problems, "no expires date")
	} else if d, err := time.Parse(time.DateOnly, w.Expires); err != nil {
		problems = append(problems, fmt.Sprintf("expires %q is not a YYYY-MM-DD date", w.Expires))
	} else {
		w.expires = d.AddDate(0, 0, 1)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// ReloadableWaivers is a WaiverSource whose file can be read again while
// the plugin serves (safedock authz serve reloads on SIGHUP): restarting the
// plugin to pick up a new waiver would make dockerd refuse requests
// meanwhile. A reload that fails keeps the waivers in force.
type ReloadableWaivers struct {
	file string
	cur  atomic.Pointer[FileWaivers]
}

// NewReloadableWaivers loads file (see LoadWaivers).
func NewReloadableWaivers(file string) (*ReloadableWaivers, error) {
	r := &ReloadableWaivers{file: file}
	if err := r.Reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// Reload reads the file again; on error the previous waivers stay.
func (r *ReloadableWaivers) Reload() error {
	w, err := LoadWaivers(r.file)
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
