package perms

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/safedock/safedock/internal/hostfs"
	"github.com/safedock/safedock/rule"
)

// Check examines every target of cfg and reports two findings per target,
// one per CIS control: its class's ownership rule and its permissions rule.
// The error is for a root that cannot be opened at all; everything else
// (missing files, unreadable daemon.json) is a finding.
func Check(cfg Config) (rule.Report, error) {
	r, err := hostfs.Open(cfg.Root)
	if err != nil {
		return rule.Report{}, fmt.Errorf("checking file permissions: %w", err)
	}
	defer r.Close()
	acc, err := accounts(r, cfg)
	if err != nil {
		return rule.Report{}, fmt.Errorf("checking file permissions: %w", err)
	}
	ts, d := targets(r, cfg)
	var fs []rule.Finding
	fs = append(fs, configFinding(d))
	for _, t := range ts {
		ev := evaluate(r, acc, t)
		fs = append(fs, ev.findings(r)...)
	}
	return rule.NewReport(fs), nil
}

// accounts are the gathered accounts of cfg.Facts, else the root's.
func accounts(r *hostfs.Root, cfg Config) (*hostfs.Accounts, error) {
	if cfg.Facts != nil {
		return cfg.Facts.Accounts, cfg.Facts.AccountsErr
	}
	return hostfs.LoadAccounts(r)
}

func configFinding(d hostfs.Daemon) rule.Finding {
	rl, _ := Catalog.Lookup(FileConfigurationReadable)
	target := "file:" + d.ConfigFile
	switch {
	case d.ConfigErr != nil:
		return rl.Finding(target, rule.Fail("daemon.json could not be read; paths it may name are unknown", d.ConfigErr.Error()))
	case !d.ConfigFound:
		res := rule.Pass("no daemon.json; dockerd's defaults and command line apply", "")
		if d.Process != nil {
			res.Detail = fmt.Sprintf("dockerd pid %d", d.Process.PID)
		}
		return rl.Finding(target, res)
	}
	return rl.Finding(target, rule.Pass("daemon.json read", ""))
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

func evaluate(r *hostfs.Root, acc *hostfs.Accounts, t Target) evaluation {
	ev := evaluation{target: t}
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
	st, err := r.Lstat(t.Path)
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
func (ev evaluation) findings(r *hostfs.Root) []rule.Finding {
	t := ev.target
	owner, _ := Catalog.Lookup(t.Class.OwnerRule())
	mode, _ := Catalog.Lookup(t.Class.ModeRule())
	if ev.skip != "" {
		res := rule.Skip(ev.skip)
		res.Detail = "path from " + t.Source
		res.Method = "lstat"
		return []rule.Finding{owner.Finding(t.Name(), res), mode.Finding(t.Name(), res)}
	}
	var where []string
	if ev.stat.Resolved != "" && ev.stat.Resolved != t.Path {
		where = append(where, "resolves to "+ev.stat.Resolved)
	}
	if !r.Live() {
		where = append(where, "root "+r.Dir())
	}
	if ev.hardLinked() {
		where = append(where, fmt.Sprintf("%d hard links (perms fix refuses to change it)", ev.stat.Nlink))
	}
	where = append(where, "path from "+t.Source)
	ctx := strings.Join(where, "; ")
	if len(ev.fatal) > 0 {
		res := rule.Fail(t.Path+" "+strings.Join(ev.fatal, "; "), fmt.Sprintf("%s: %s; want a %s; %s", t.Path, kindOf(ev.stat.Mode), ev.spec.Kind, ctx))
		res.Method = "lstat"
		return []rule.Finding{owner.Finding(t.Name(), res), mode.Finding(t.Name(), res)}
	}

	seenOwner := fmt.Sprintf("%s:%s (uid %d, gid %d)", ev.userName, ev.groupName, ev.stat.UID, ev.stat.GID)
	wantOwner := fmt.Sprintf("%s:%s", ev.spec.Owner, strings.Join(ev.spec.Groups, "|"))
	var problems []string
	if !ev.ownerOK {
		problems = append(problems, fmt.Sprintf("owner is %s (uid %d), not %s (uid %d)", ev.userName, ev.stat.UID, ev.spec.Owner, ev.wantUID))
	}
	if !ev.groupOK {
		problems = append(problems, fmt.Sprintf("group is %s (gid %d), not %s", ev.groupName, ev.stat.GID, strings.Join(ev.spec.Groups, " or ")))
	}
	detail := fmt.Sprintf("%s: owner %s; want %s; %s", t.Path, seenOwner, wantOwner, ctx)
	if ev.ownerNote != "" {
		detail += "; " + ev.ownerNote
	}
	var ores rule.Result
	if len(problems) == 0 {
		ores = rule.Pass(fmt.Sprintf("%s is owned by %s:%s", t.Path, ev.userName, ev.groupName), detail)
	} else {
		ores = rule.Fail(t.Path+": "+strings.Join(problems, "; "), detail)
	}
	ores.Method = "lstat"

	detail = fmt.Sprintf("%s: mode %04o; want %04o or stricter; %s", t.Path, ev.stat.Perm, ev.spec.MaxPerm, ctx)
	var mres rule.Result
	if ev.modeOK {
		mres = rule.Pass(fmt.Sprintf("%s is %04o", t.Path, ev.stat.Perm), detail)
	} else {
		mres = rule.Fail(fmt.Sprintf("%s: mode %04o has bits %04o outside %04o", t.Path, ev.stat.Perm, ev.stat.Perm&^ev.spec.MaxPerm, ev.spec.MaxPerm), detail)
	}
	mres.Method = "lstat"
	return []rule.Finding{owner.Finding(t.Name(), ores), mode.Finding(t.Name(), mres)}
}
