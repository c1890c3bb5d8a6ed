package perms

import "github.com/safedock/safedock/rule"

// Rules returns the perms rules: a copy of Catalog that callers may change.
func Rules() rule.Catalog {
	return Catalog.Clone()
}
