package perms

import "github.com/safedock/safedock/rule"

// Rules returns the perms rules: an ownership and a permissions rule for
// every FileClass, then FileConfigurationReadable. The result is a copy the
// caller may change.
func Rules() rule.Catalog {
	return append(fileChecks.Catalog(), daemonChecks.Catalog()...)
}
