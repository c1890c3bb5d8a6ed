package host

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SeriesStatus is the upstream maintenance state of an engine series.
type SeriesStatus string

// Maintenance states, as moby's project/BRANCHES-AND-TAGS.md names them.
const (
	Maintained SeriesStatus = "maintained"
	// Downstream: upstream Docker no longer ships it, but a named
	// distributor still maintains the branch for its own packages.
	Downstream   SeriesStatus = "maintained downstream only"
	Unmaintained SeriesStatus = "unmaintained"
)

// EngineSeries is one Docker Engine release series ("29", "20.10").
type EngineSeries struct {
	Series   string       `json:"series"`
	Released string       `json:"released,omitempty"` // YYYY-MM-DD of the .0 release, when known
	EOL      string       `json:"eol,omitempty"`      // YYYY-MM-DD, when known
	Status   SeriesStatus `json:"status"`
	Latest   string       `json:"latest,omitempty"` // newest release known when the table was updated
	Note     string       `json:"note,omitempty"`
}

// VersionTable is the supported-versions table shipped with the library.
type VersionTable struct {
	// Updated is when the table was last checked against upstream.
	Updated string         `json:"updated"`
	Sources []string       `json:"sources"`
	Series  []EngineSeries `json:"series"`
}

// EngineVersions returns the supported-versions table Check uses, as a copy
// the caller may change.
func EngineVersions() VersionTable { return engineVersions.Clone() }

// Clone returns a deep copy of t.
func (t VersionTable) Clone() VersionTable {
	t.Sources = slices.Clone(t.Sources)
	t.Series = slices.Clone(t.Series)
	return t
}

// engineVersions is the table Check uses. It is data: update it (and
// Updated) when Docker releases a new major version or ends one.
var engineVersions = VersionTable{
	// Checked on 2026-12-01 against: moby's project/BRANCHES-AND-TAGS.md
	// (master of 2026-08-23: docker-29.x maintained "after docker-30.x" by
	// Docker and Microsoft; 28.x, 27.x, 26.1, 26.0, 24.0, 23.0 unmaintained;
	// 25.0 maintained for Amazon Linux and Mirantis until 2026-12-04), and
	// the release list of github.com/docker/cli on pkg.go.dev (v29.10.1 of
	// 2026-11-24 is the newest; no 30.x release or candidate).
	Updated: "2026-12-01",
	Sources: []string{
		"https://github.com/moby/moby/blob/master/project/BRANCHES-AND-TAGS.md",
		"https://pkg.go.dev/github.com/docker/cli?tab=versions",
		"https://docs.docker.com/engine/release-notes/",
		"https://endoflife.date/docker-engine",
	},
	Series: []EngineSeries{
		{Series: "29", Released: "2025-11-10", Status: Maintained, Latest: "29.10.1",
			Note: "current major version, maintained until after 30.x (Docker, Microsoft); releases are tagged docker-v29.x in moby/moby"},
		{Series: "28", Released: "2025-02-20", Status: Unmaintained, Note: "upstream maintenance ended after 29.0"},
		{Series: "27", Released: "2024-06-24", Status: Unmaintained},
		{Series: "26", Released: "2024-03-20", Status: Unmaintained, Note: "26.1 is no longer maintained; Microsoft now ships 29.x"},
		{Series: "25", Released: "2024-01-19", EOL: "2026-12-04", Status: Downstream, Note: "25.0 maintained for Amazon Linux and Mirantis Container Runtime packages only, until 2026-12-04"},
		{Series: "24", Released: "2023-05-16", Status: Unmaintained},
		{Series: "23", Released: "2023-02-01", EOL: "2025-05-19", Status: Unmaintained, Note: "last maintained by Mirantis until 2025-05-19"},
		{Series: "20.10", Released: "2020-12-08", EOL: "2023-12-10", Status: Unmaintained},
		{Series: "19.03", Released: "2019-07-22", EOL: "2021-01-08", Status: Unmaintained},
		{Series: "18.09", Released: "2018-11-08", EOL: "2019-08-22", Status: Unmaintained},
	},
}

// ParseEngineVersion splits "20.10.24+dfsg1" or "29.1.0-rc.1" into major and
// minor numbers.
func ParseEngineVersion(v string) (major, minor int, err error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	v = strings.TrimPrefix(v, "docker-v")
	core, _, _ := strings.Cut(v, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("parsing engine version %q: want MAJOR.MINOR[.PATCH]", v)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return 0, 0, fmt.Errorf("parsing engine version %q: not numeric", v)
	}
	return major, minor, nil
}

// Lookup finds the series of an engine version. ok is false when the table
// does not know it (older than the table, or newer than its last update).
func (t VersionTable) Lookup(version string) (EngineSeries, bool, error) {
	major, minor, err := ParseEngineVersion(version)
	if err != nil {
		return EngineSeries{}, false, err
	}
	keys := []string{strconv.Itoa(major), fmt.Sprintf("%d.%02d", major, minor), fmt.Sprintf("%d.%d", major, minor)}
	if major < 23 {
		keys = keys[1:] // before 23.0, the series is MAJOR.MINOR (YY.MM)
	}
	for _, s := range t.Series {
		for _, k := range keys {
			if s.Series == k {
				return s, true, nil
			}
		}
	}
	return EngineSeries{}, false, nil
}

// newest returns the newest major series number in the table.
func (t VersionTable) newest() int {
	n := 0
	for _, s := range t.Series {
		if m, err := strconv.Atoi(strings.SplitN(s.Series, ".", 2)[0]); err == nil && m > n {
			n = m
		}
	}
	return n
}

// Age is how old the table is at now.
func (t VersionTable) Age(now time.Time) time.Duration {
	u, err := time.Parse(time.DateOnly, t.Updated)
	if err != nil {
		return 0
	}
	return now.Sub(u)
}
