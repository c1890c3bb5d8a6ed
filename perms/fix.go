package perms

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// FixOptions control Fix. The zero value is a dry run.
type FixOptions struct {
	// Apply makes the planned changes. Without it nothing is changed.
	Apply bool
}

// Change is one planned (or made) change to one file for one rule: a chown
// for an ownership rule, a chmod for a permissions rule.
type Change struct {
	Rule rule.ID `json:"rule"`
	Path string  `json:"path"`
	// Resolved is the in-root path of the file actually changed.
	Resolved string `json:"resolved"`
	Dev      uint64 `json:"-"`
	Ino      uint64 `json:"-"`
	FromUID  uint32 `json:"from_uid"`
	FromGID  uint32 `json:"from_gid"`
	ToUID    uint32 `json:"to_uid"`
	ToGID    uint32 `json:"to_gid"`
	FromPerm uint32 `json:"from_mode"`
	ToPerm   uint32 `json:"to_mode"`
	// Applied is true once the change was made.
	Applied bool `json:"applied"`
	// Err is why an attempted change failed.
	Err string `json:"error,omitempty"`
}

// Chown reports whether the change touches the owner or group.
func (c Change) Chown() bool { return c.FromUID != c.ToUID || c.FromGID != c.ToGID }

// Chmod reports whether the change touches the mode.
func (c Change) Chmod() bool { return c.FromPerm != c.ToPerm }

// String describes the change, e.g. "chmod 0470 -> 0440 /etc/docker/daemon.json".
func (c Change) String() string {
	var parts []string
	if c.Chown() {
		parts = append(parts, fmt.Sprintf("chown %d:%d -> %d:%d", c.FromUID, c.FromGID, c.ToUID, c.ToGID))
	}
	if c.Chmod() {
		parts = append(parts, fmt.Sprintf("chmod %04o -> %04o", c.FromPerm, c.ToPerm))
	}
	s := strings.Join(parts, ", ") + " " + c.Path
	if c.Resolved != "" && c.Resolved != c.Path {
		s += " (" + c.Resolved + ")"
	}
	return s + " [" + string(c.Rule) + "]"
}

// FixResult is what Fix planned and did.
type FixResult struct {
	// Before is the check report the plan was made from.
	Before rule.Report `json:"before"`
	// Changes are the planned changes; Applied says which were made.
	Changes []Change `json:"changes"`
	// Manual are failures Fix does not repair (symlinks, wrong file types,
	// hard-linked files, unreadable configuration): a person must look at
	// them. A hard-linked file's findings say "refusing to change".
	Manual []rule.Finding `json:"manual"`
	// Applied is true when FixOptions.Apply was set.
	Applied bool `json:"applied"`
}

// Fix checks cfg and plans the changes that make every failing file pass:
// it removes the permission bits outside the rule's maximum and sets a wrong
// owner or group to root, one Change per rule (ownership, permissions).
// With opts.Apply it makes those changes, each on the very inode that was
// checked (opened without following symlinks, its device and inode compared
// with the plan's). A file with more than one hard link is never changed:
// it is reported in Manual. The error joins the changes
// that failed; the others are still made.
func Fix(cfg Config, opts FixOptions) (FixResult, error) {
	r, err := hostfs.Open(cfg.Root)
	if err != nil {
		return FixResult{}, fmt.Errorf("fixing file permissions: %w", err)
	}
	defer r.Close()
	f, err := gather(cfg)
	if err != nil {
		return FixResult{}, fmt.Errorf("fixing file permissions: %w", err)
	}
	if f.AccountsErr != nil {
		return FixResult{}, fmt.Errorf("fixing file permissions: %w", f.AccountsErr)
	}
	acc := f.Accounts
	ts, d := targets(f.Files, f, cfg)
	res := FixResult{Applied: opts.Apply}
	findings := []rule.Finding{configFinding(d)}
	if d.ConfigErr != nil {
		res.Manual = append(res.Manual, findings[0])
	}
	seen := map[string]bool{}
	for _, t := range ts {
		ev := evaluate(f.Files, acc, t)
		fs := ev.findings()
		findings = append(findings, fs...)
		if ev.ok() || ev.skip != "" {
			continue
		}
		if len(ev.fatal) > 0 {
			res.Manual = append(res.Manual, failed(fs)...)
			continue
		}
		if ev.hardLinked() {
			// Another name of this inode may be anywhere, outside the root
			// too: changing it would change that file as well.
			for _, f := range failed(fs) {
				f.Reason = fmt.Sprintf("refusing to change %s: it has %d hard links, and another of them may be outside the root (%s)", t.Path, ev.stat.Nlink, f.Reason)
				res.Manual = append(res.Manual, f)
			}
			continue
		}
		base := Change{
			Path: t.Path, Resolved: ev.stat.Resolved,
			Dev: ev.stat.Dev, Ino: ev.stat.Ino,
			FromUID: ev.stat.UID, FromGID: ev.stat.GID, FromPerm: ev.stat.Perm,
			ToUID: ev.stat.UID, ToGID: ev.stat.GID, ToPerm: ev.stat.Perm,
		}
		inode := fmt.Sprintf("%d:%d", ev.stat.Dev, ev.stat.Ino)
		// One inode reached by two targets is changed once per control.
		if !ev.ownerFine() && !seen[inode+" owner"] {
			seen[inode+" owner"] = true
			c := base
			c.Rule = t.Class.OwnerRule()
			if !ev.ownerOK {
				c.ToUID = ev.wantUID
			}
			if !ev.groupOK {
				c.ToGID = ev.wantGID
			}
			res.Changes = append(res.Changes, c)
		}
		if !ev.modeOK && !seen[inode+" mode"] {
			seen[inode+" mode"] = true
			c := base
			c.Rule = t.Class.ModeRule()
			c.ToPerm = ev.stat.Perm & ev.spec.MaxPerm
			res.Changes = append(res.Changes, c)
		}
	}
	res.Before = rule.NewReport(findings)
	if !opts.Apply {
		return res, nil
	}
	var errs []error
	for i := range res.Changes {
		if err := apply(r, &res.Changes[i]); err != nil {
			res.Changes[i].Err = err.Error()
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// failed returns the failing findings among fs.
func failed(fs []rule.Finding) []rule.Finding {
	var out []rule.Finding
	for _, f := range fs {
		if f.Status == rule.StatusFail {
			out = append(out, f)
		}
	}
	return out
}

// apply makes one change on the inode the plan examined, re-checking it
// first, and never adds a permission bit.
func apply(r *hostfs.Root, c *Change) error {
	h, err := r.OpenHandle(c.Path)
	if err != nil {
		return fmt.Errorf("fixing %s: %w", c.Path, err)
	}
	defer h.Close()
	st := h.Stat
	if st.Mode&fs.ModeSymlink != 0 {
		return fmt.Errorf("fixing %s: it became a symlink; not touched", c.Path)
	}
	if st.Dev != c.Dev || st.Ino != c.Ino {
		return fmt.Errorf("fixing %s: it is no longer the file that was checked (device/inode changed); not touched", c.Path)
	}
	if !st.Mode.IsDir() && st.Nlink > 1 {
		return fmt.Errorf("fixing %s: it has %d hard links now; not touched", c.Path, st.Nlink)
	}
	if c.Chown() {
		uid, gid := st.UID, st.GID
		if c.ToUID != c.FromUID {
			uid = c.ToUID
		}
		if c.ToGID != c.FromGID {
			gid = c.ToGID
		}
		if uid != st.UID || gid != st.GID {
			if err := h.SetOwner(uid, gid); err != nil {
				return fmt.Errorf("fixing %s: %w", c.Path, err)
			}
		}
	}
	if c.Chmod() {
		// chown may have cleared setuid/setgid: re-read first. Only ever
		// remove bits: the new mode is a subset of the current one.
		if err := h.Refresh(); err != nil {
			return fmt.Errorf("fixing %s: %w", c.Path, err)
		}
		if want := h.Stat.Perm & c.ToPerm; want != h.Stat.Perm {
			if err := h.SetMode(want); err != nil {
				return fmt.Errorf("fixing %s: %w", c.Path, err)
			}
		}
	}
	c.Applied = true
	return nil
}
