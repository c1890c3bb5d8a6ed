package hostfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Accounts is what a root's /etc/passwd and /etc/group say about users and
// groups. The zero value knows nobody.
type Accounts struct {
	uidByName map[string]uint32
	nameByUID map[uint32]string
	gidByName map[string]uint32
	nameByGID map[uint32]string
	primary   map[string]uint32   // user name → primary gid
	members   map[string][]string // group name → listed members
	home      map[string]string   // user name → home directory
	HasPasswd bool                // etc/passwd was found
	HasGroup  bool                // etc/group was found
}

const maxAccountFile = 4 << 20

// LoadAccounts reads etc/passwd and etc/group from the root. Missing files
// are not an error: the result simply knows fewer names (see HasPasswd and
// HasGroup).
func LoadAccounts(r *Root) (*Accounts, error) {
	a := &Accounts{}
	pw, err := r.ReadFile("/etc/passwd", maxAccountFile)
	switch {
	case err == nil:
		a.HasPasswd = true
		a.ParsePasswd(pw)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("loading accounts: %w", err)
	}
	gr, err := r.ReadFile("/etc/group", maxAccountFile)
	switch {
	case err == nil:
		a.HasGroup = true
		a.ParseGroup(gr)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("loading accounts: %w", err)
	}
	return a, nil
}

func (a *Accounts) init() {
	if a.uidByName == nil {
		a.uidByName = map[string]uint32{}
		a.nameByUID = map[uint32]string{}
		a.gidByName = map[string]uint32{}
		a.nameByGID = map[uint32]string{}
		a.primary = map[string]uint32{}
		a.members = map[string][]string{}
		a.home = map[string]string{}
	}
}

func lines(data []byte, fn func(fields []string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fn(strings.Split(line, ":"))
	}
}

func parseID(s string) (uint32, bool) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
	return uint32(n), err == nil
}

// ParsePasswd adds the users of an /etc/passwd file. Malformed lines are
// skipped; the first entry for a name or ID wins, as in getpwnam(3).
func (a *Accounts) ParsePasswd(data []byte) {
	a.init()
	lines(data, func(f []string) {
		if len(f) < 4 || f[0] == "" {
			return
		}
		uid, ok1 := parseID(f[2])
		gid, ok2 := parseID(f[3])
		if !ok1 || !ok2 {
			return
		}
		if _, dup := a.uidByName[f[0]]; !dup {
			a.uidByName[f[0]] = uid
			a.primary[f[0]] = gid
			if len(f) > 5 {
				a.home[f[0]] = f[5]
			}
		}
		if _, dup := a.nameByUID[uid]; !dup {
			a.nameByUID[uid] = f[0]
		}
	})
}

// ParseGroup adds the groups of an /etc/group file.
func (a *Accounts) ParseGroup(data []byte) {
	a.init()
	lines(data, func(f []string) {
		if len(f) < 3 || f[0] == "" {
			return
		}
		gid, ok := parseID(f[2])
		if !ok {
			return
		}
		if _, dup := a.gidByName[f[0]]; dup {
			return
		}
		a.gidByName[f[0]] = gid
		if _, dup := a.nameByGID[gid]; !dup {
			a.nameByGID[gid] = f[0]
		}
		if len(f) >= 4 {
			for _, m := range strings.Split(f[3], ",") {
				if m = strings.TrimSpace(m); m != "" && !slices.Contains(a.members[f[0]], m) {
					a.members[f[0]] = append(a.members[f[0]], m)
				}
			}
		}
	})
}

// Home returns the home directory /etc/passwd gives the user, when it
// gives one.
func (a *Accounts) Home(name string) (string, bool) {
	h, ok := a.home[name]
	return h, ok && h != ""
}

// UID returns the ID of the named user.
func (a *Accounts) UID(name string) (uint32, bool) {
	id, ok := a.uidByName[name]
	return id, ok
}

// PrimaryGID returns the named user's primary group ID (/etc/passwd's
// fourth field).
func (a *Accounts) PrimaryGID(name string) (uint32, bool) {
	id, ok := a.primary[name]
	return id, ok
}

// GID returns the ID of the named group.
func (a *Accounts) GID(name string) (uint32, bool) {
	id, ok := a.gidByName[name]
	return id, ok
}

// UserName returns the name of uid, or the number when it has none.
func (a *Accounts) UserName(uid uint32) string {
	if n, ok := a.nameByUID[uid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(uid), 10)
}

// GroupName returns the name of gid, or the number when it has none.
func (a *Accounts) GroupName(gid uint32) string {
	if n, ok := a.nameByGID[gid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// GroupMembers lists who belongs to group gid: the members named in
// /etc/group and every user whose primary group it is. Sorted, unique.
func (a *Accounts) GroupMembers(gid uint32) []string {
	var out []string
	if name, ok := a.nameByGID[gid]; ok {
		out = append(out, a.members[name]...)
	}
	for user, g := range a.primary {
		if g == gid {
			out = append(out, user)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortStrings(s []string) { slices.Sort(s) }
