package hardening

import (
	"path"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// bindCorpus is Docker's -v syntax: forms dockerd 20.10 accepts (true)
// and refuses (false) at container create. TestParseBindAgreesWithDockerd
// asks a real dockerd about each; FuzzParseBind starts from them.
// "VOL" stands for a volume name unique to the run.
var bindCorpus = []struct {
	bind   string
	accept bool
}{
	{"/etc:/x", true},
	{"/etc:/x:ro", true},
	{"/etc:/x:rw", true},
	{"/etc:/x:", true},
	{"/etc:/x:z", true},
	{"/etc:/x:Z", true},
	{"/etc:/x:rw,z", true},
	{"/etc:/x:ro,Z", true},
	{"/etc:/x:delegated", true},
	{"/etc:/x:cached", true},
	{"/etc:/x:consistent", true},
	{"/etc:/x:rslave", true},
	{"/etc:/x:ro,rslave", true},
	{"/etc:/x:shared", true},
	{"/etc:/x:rprivate,ro,z,delegated", true},
	{"/etc/../etc/./:/x/../y/", true},
	{"/nonexistent-safedock/dir:/x", true},
	{"/anon", true},
	{"VOL:/x", true},
	{"VOL:/x:ro,nocopy", true},
	{"VOL:/x:nocopy", true},
	{"VOL:/x:z,cached", true},

	{"", false},
	{":/x", false},
	{"/etc:/", false},
	{"/etc:/x/..", false},
	{"/etc:rw", false},
	{"/etc:x", false},
	{"/etc:/x:ro,", false},
	{"/etc:/x:,ro", false},
	{"/etc:/x:ro,,z", false},
	{"/etc:/x:ro,rw", false},
	{"/etc:/x:ro,ro", false},
	{"/etc:/x:z,Z", false},
	{"/etc:/x:shared,slave", false},
	{"/etc:/x:cached,delegated", false},
	{"/etc:/x:nocopy", false},
	{"/etc:/x:exec", false},
	{"/etc:/x:RO", false},
	{"/etc:/x:ro:z", false},
	{"VOL:/x:rslave", false},
	{"VOL:/x:nocopy,nocopy", false},
}

// FuzzParseBind: parseBind never panics, and what it accepts is a Mount
// whose fields agree with the text and survive a round trip; the mount
// rules never drop a bind (they see a refused one with its Problem).
func FuzzParseBind(f *testing.F) {
	for _, c := range bindCorpus {
		f.Add(strings.ReplaceAll(c.bind, "VOL", "data"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseBind(s)
		hc := &container.HostConfig{Binds: []string{s}}
		v := openHostView(HostFacts{})
		got := v.mounts(&Subject{HostConfig: hc, Mounts: mountsFromHostConfig(hc)})
		if len(got) != 1 {
			t.Fatalf("%q: the builder sees %d mounts, want 1", s, len(got))
		}
		if err != nil {
			if got[0].Problem == "" {
				t.Fatalf("%q refused (%v) but the subject carries no problem", s, err)
			}
			return
		}
		if got[0].Problem != "" {
			t.Fatalf("%q accepted but the subject carries %q", s, got[0].Problem)
		}
		if !strings.HasPrefix(m.Destination, "/") || m.Destination == "/" || path.Clean(m.Destination) != m.Destination {
			t.Fatalf("%q: destination %q is not a clean absolute path below /", s, m.Destination)
		}
		switch m.Type {
		case mount.TypeBind:
			if !strings.HasPrefix(m.Source, "/") || path.Clean(m.Source) != m.Source {
				t.Fatalf("%q: bind source %q is not a clean absolute path", s, m.Source)
			}
		case mount.TypeVolume:
			if strings.HasPrefix(m.Source, "/") || m.Propagation != "" {
				t.Fatalf("%q: volume %+v", s, m)
			}
		default:
			t.Fatalf("%q: type %q", s, m.Type)
		}
		parts := strings.SplitN(s, ":", 4)
		mode := ""
		if len(parts) == 3 {
			mode = parts[2]
		}
		ro := false
		for _, o := range strings.Split(mode, ",") {
			ro = ro || o == "ro"
		}
		if m.RW == ro {
			t.Fatalf("%q: RW=%v but mode %q", s, m.RW, mode)
		}
		// Round trip: the mount written back in -v form parses to itself.
		again := m.Source + ":" + m.Destination
		if m.Source == "" {
			again = m.Destination
		}
		var opts []string
		if !m.RW {
			opts = append(opts, "ro")
		}
		if m.Propagation != "" {
			opts = append(opts, string(m.Propagation))
		}
		if len(opts) > 0 {
			again += ":" + strings.Join(opts, ",")
		}
		m2, err := parseBind(again)
		if err != nil || m2 != m {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, m, again, m2, err)
		}
	})
}
