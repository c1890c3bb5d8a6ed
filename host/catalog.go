package host

import "github.com/safedock/safedock/rule"

// Rules returns the host rules: a copy of Catalog that callers may change.
func Rules() rule.Catalog {
	return Catalog.Clone()
}
