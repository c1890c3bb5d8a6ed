package daemonconf

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Docker Engine release, compared by major and minor number
// only (20.10, 23.0, 29.1). The zero Version means Oldest.
type Version struct {
	Major, Minor int
}

// Oldest is the oldest engine the schema describes (Docker 20.10).
func Oldest() Version { return Version{20, 10} }

// Newest is the newest engine the schema describes (Docker 29).
func Newest() Version { return Version{29, 99} }

// v is shorthand for table entries.
func v(major, minor int) Version { return Version{major, minor} }

// ParseVersion parses an engine version such as "20.10.24+dfsg1", "v27.3.1"
// or "28". Patch levels and suffixes are ignored.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "+-~ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if t == "" || len(parts) > 3 {
		return Version{}, fmt.Errorf("parsing engine version %q: want MAJOR[.MINOR[.PATCH]]", s)
	}
	var nums [2]int
	for i := 0; i < len(parts) && i < 2; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 || n > 9999 {
			return Version{}, fmt.Errorf("parsing engine version %q: %q is not a number", s, parts[i])
		}
		nums[i] = n
	}
	ver := Version{nums[0], nums[1]}
	if ver.Less(Oldest()) || Newest().Less(ver) {
		return Version{}, fmt.Errorf("engine version %s is outside the modelled range %s..29", ver, Oldest())
	}
	return ver, nil
}

// String returns "MAJOR.MINOR".
func (ver Version) String() string { return fmt.Sprintf("%d.%d", ver.Major, ver.Minor) }

// IsZero reports whether ver is unset.
func (ver Version) IsZero() bool { return ver == Version{} }

// Less reports whether ver is older than o.
func (ver Version) Less(o Version) bool {
	if ver.Major != o.Major {
		return ver.Major < o.Major
	}
	return ver.Minor < o.Minor
}

// AtLeast reports whether ver is o or newer.
func (ver Version) AtLeast(o Version) bool { return !ver.Less(o) }

func (ver Version) orOldest() Version {
	if ver.IsZero() {
		return Oldest()
	}
	return ver
}
