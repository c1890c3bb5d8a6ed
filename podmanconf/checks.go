package podmanconf

import (
	"slices"

	"github.com/safedock/safedock/rule"
)

// Target is the target of the configuration findings: Podman's merged
// configuration (each finding's detail names the file a setting came from).
const Target = "podman:config"

// Method is how the configuration findings were decided.
const Method = "containers.conf, storage.conf and registries.conf, merged as Podman does"

// checks are the configuration rules, in report order, each in its own
// check_*.go file with its test.
var checks = rule.Checks[*Config]{
	validConfig,
	noNewPrivileges,
	seccompProfile,
	userns,
	logDriver,
	insecureRegistries,
	unqualifiedSearch,
}.MustValidate()

// Checks returns the configuration rules, in report order, as a copy.
func Checks() rule.Checks[*Config] { return slices.Clone(checks) }

// Rules returns the metadata of every rule the package reports (the
// configuration rules, then the file rules), as a copy.
func Rules() rule.Catalog {
	return slices.Concat(checks.Catalog(), fileChecks.Catalog())
}

// Audit judges c with every configuration rule.
func Audit(c *Config) rule.Report {
	fs := checks.Evaluate(Target, c, nil)
	for i := range fs {
		if fs[i].Method == "" {
			fs[i].Method = Method
		}
	}
	return rule.NewReport(fs)
}
