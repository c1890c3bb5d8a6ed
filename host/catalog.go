package host

import (
	"slices"

	"github.com/safedock/safedock/rule"
)

// Rules returns the host rules: a copy of Catalog that callers may change.
func Rules() rule.Catalog {
	c := slices.Clone(Catalog)
	for i := range c {
		c[i].CIS = slices.Clone(c[i].CIS)
	}
	return c
}
