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

// Checks returns the configuration rules, in report order, as a copy.
func Checks() rule.Checks[*Config] {
	return rule.Checks[*Config]{
		validConfig,
		noNewPrivileges,
		seccompProfile,
		userns,
		logDriver,
		insecureRegistries,
		unqualifiedSearch,
	}
}

// Catalog returns the metadata of every rule the package reports:
// Checks' then FileChecks'.
func Catalog() rule.Catalog {
	return slices.Concat(Checks().Catalog(), FileChecks().Catalog())
}

// Audit judges c with every configuration rule.
func Audit(c *Config) rule.Report {
	fs := Checks().Evaluate(Target, c, nil)
	for i := range fs {
		if fs[i].Method == "" {
			fs[i].Method = Method
		}
	}
	return rule.NewReport(fs)
}
