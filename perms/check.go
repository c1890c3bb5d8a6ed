package perms

import (
	"fmt"
	"io/fs"
	"slices"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// Check examines every target of cfg and reports two findings per target,
// one per CIS control: its class's ownership rule and its permissions rule.
// The error is for a root that cannot be opened at all; everything else
// (missing files, unreadable daemon.json) is a finding.
func Check(cfg Config) (rule.Report, error) {
	f, err := gather(cfg)
	if err != nil {
		return rule.Report{}, fmt.Errorf("checking file permissions: %w", err)
	}
	if f.AccountsErr != nil {
		return rule.Report{}, fmt.Errorf("checking file permissions: %w", f.AccountsErr)
	}
	ts, d := targets(f.Files, f, cfg)
	var fs []rule.Finding
	fs = append(fs, configFinding(d))
	for _, t := range ts {
		ev := evaluate(f.Files, f.Accounts, t)
		fs = append(fs, ev.findings()...)
	}
	return rule.NewReport(fs), nil
}

// gather returns cfg.Facts, or the facts of cfg.Root gathered once
// (hostfs.Gather) from daemon.json, cfg.DockerdArgs and the files the
// targets name. No running dockerd is looked for: Discover does that.
func gather(cfg Config) (*hostfs.Facts, error) {
	if cfg.Facts != nil {
		return cfg.Facts, nil
	}
	r, err := hostfs.Open(cfg.Root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	args := cfg.DockerdArgs
	if args == nil {
		args = []string{}
	}
	paths := slices.Concat(cfg.Sockets, cfg.ContainerdSockets)
	if cfg.DataRoot != "" {
		paths = append(paths, cfg.DataRoot)
	}
	f := hostfs.Gather(r, hostfs.GatherOptions{Args: args, ForceConfigFile: cfg.DaemonJSON, Paths: paths})
	return &f, nil
}

// evaluation is one target's state against its spec: the shared input of
// Check and Fix.
type evaluation struct {
	target Target
	spec   Spec
	stat   hostfs.Stat
	// skip is why the target could not be examined.
	skip string
	// fatal problems Fix cannot repair (symlink, wrong kind).
	fatal []string
	// wantUID is root's uid; groupOK / ownerOK / modeOK are the tests.
	wantUID, wantGID uint32
	ownerOK, groupOK bool
	modeOK           bool
	ownerNote        string
	// names of the current owner and group, from the root's accounts.
	userName, groupName string
	// live is true for this machine's root; rootDir is the root otherwise.
	live    bool
	rootDir string
}

func resolveOwner(acc *hostfs.Accounts, name string) (uint32, string) {
	if id, ok := acc.UID(name); ok {
		return id, ""
	}
	if name == "root" {
		return 0, "no root user in etc/passwd; using uid 0"
	}
	return 0, ""
}

// evaluate judges t against the metadata fsys holds (the gathered Files).
func evaluate(fsys hostfs.FS, acc *hostfs.Accounts, t Target) evaluation {
	if acc == nil {
		acc = &hostfs.Accounts{}
	}
	ev := evaluation{target: t, live: fsys.Live(), rootDir: fsys.Dir()}
	spec, ok := SpecOf(t.Class)
	if !ok {
		ev.skip = "no expectation declared for " + string(t.Class)
		return ev
	}
	ev.spec = spec
	if t.Kind != 0 {
		spec.Kind = t.Kind
	}
	if t.Skip != "" {
		ev.skip = t.Skip
		return ev
	}
	st, err := fsys.Lstat(t.Path)
	if err != nil {
		ev.skip = t.Path + " " + short(err)
		return ev
	}
	ev.stat = st
	if st.Mode&fs.ModeSymlink != 0 {
		ev.fatal = append(ev.fatal, fmt.Sprintf("is a symlink to %q where a %s is expected; symlinks are never followed", st.Link, spec.Kind))
		return ev
	}
	if !spec.Kind.matches(st.Mode) || t.Kind != 0 && t.Kind != ev.spec.Kind {
		ev.fatal = append(ev.fatal, fmt.Sprintf("is a %s where a %s is expected", kindOf(st.Mode), spec.Kind))
		return ev
	}
	ev.userName, ev.groupName = acc.UserName(st.UID), acc.GroupName(st.GID)
	ev.wantUID, ev.ownerNote = resolveOwner(acc, spec.Owner)
	ev.ownerOK = st.UID == ev.wantUID
	rootGID := uint32(0)
	if id, ok := acc.GID("root"); ok {
		rootGID = id
	}
	ev.wantGID = rootGID
	for _, g := range spec.Groups {
		id, ok := acc.GID(g)
		if !ok && g == "root" {
			id, ok = 0, true
		}
		if ok && st.GID == id {
			ev.groupOK = true
		}
	}
	if o := t.Owner; o != nil {
		user, group := o.names(acc)
		ev.spec.Owner, ev.spec.Groups = user, []string{group}
		ev.wantUID, ev.wantGID = o.UID, o.GID
		ev.ownerOK, ev.groupOK = st.UID == o.UID, o.groupOK(st.GID)
		ev.ownerNote = "a rootless daemon's own file: owned by the user it runs as"
	}
	ev.modeOK = Stricter(st.Perm, spec.MaxPerm)
	return ev
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "regular file"
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func (ev evaluation) ok() bool {
	return ev.skip == "" && len(ev.fatal) == 0 && ev.ownerOK && ev.groupOK && ev.modeOK
}

func (ev evaluation) ownerFine() bool { return ev.ownerOK && ev.groupOK }

// hardLinked reports whether the target is a non-directory with more than
// one hard link: Fix refuses to change it (another name of the inode may
// live anywhere on the filesystem, outside the root too).
func (ev evaluation) hardLinked() bool {
	return ev.skip == "" && len(ev.fatal) == 0 && !ev.stat.Mode.IsDir() && ev.stat.Nlink > 1
}

// findings returns the ownership finding and the permissions finding of
// the target, each naming the file and what was seen against what is
// wanted.
func (ev evaluation) findings() []rule.Finding {
	name := ev.target.Name()
	return []rule.Finding{
		fileCheck(ev.target.Class.OwnerRule(), judgeOwner).Finding(name, ev),
		fileCheck(ev.target.Class.ModeRule(), judgeMode).Finding(name, ev),
	}
}

// fileCheck is the catalog's check of id; a class the catalog does not hold
// (which Targets never yields) is judged by judge under a bare ID.
func fileCheck(id rule.ID, judge func(evaluation) rule.Result) rule.Check[evaluation] {
	if c, ok := fileChecks.Lookup(id); ok {
		return c
	}
	return rule.Check[evaluation]{Rule: rule.Rule{ID: id}, Judge: judge}
}
