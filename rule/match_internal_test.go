package rule

import (
	"regexp"
	"testing"
)

// The hand-written matchers are the regular expressions they replaced.
var (
	idRegexp  = regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$`)
	cisRegexp = regexp.MustCompile(`^[0-9]+(\.[0-9]+)+$`)
)

var matcherSeeds = []string{
	"", ".", "a", "a.", ".a", "a.b", "a.b.c", "container.read-only-rootfs", "container.-x", "container.x-",
	"container.x--y", "Container.x", "1a.b", "a1.b2", "a.b-", "a..b", "a.b.", "a.B", "a.b_c", "a.b c",
	"5.10", "2.2.1", "5", "5.", ".5", "5..1", "5.1a", "05.01", "5.1.", "٣.٤", "a.\u00e9",
}

func FuzzIDValid(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ID(s).Valid(), idRegexp.MatchString(s); got != want {
			t.Fatalf("ID(%q).Valid() = %v, the regular expression says %v", s, got, want)
		}
	})
}

func FuzzDottedNumbers(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := dottedNumbers(s), cisRegexp.MatchString(s); got != want {
			t.Fatalf("dottedNumbers(%q) = %v, the regular expression says %v", s, got, want)
		}
	})
}
