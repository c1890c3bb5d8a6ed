package swarm

import (
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkSecretsInEnv binds swarm.secrets-in-env to its judge. ServiceSpec
// refuses the same variables (secretEnvPattern) before a service exists.
var checkSecretsInEnv = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmSecretsInEnv, Title: "Secrets reach services as swarm secrets, not environment variables", Severity: rule.SeverityHigh, CIS: []string{"7.4"},
		Rationale:   "Environment variables are stored in the service spec in clear, shown by docker service inspect and docker inspect, and inherited by every child process; swarm secrets are encrypted in the raft log and mounted in memory.",
		Remediation: "Create a secret (docker secret create NAME -) and give it to the service (--secret NAME, swarm.WithAddedSecret); remove the variable.",
	},
	Judge: judgeSecretsInEnv,
}

// judgeSecretsInEnv fails a service with an environment variable whose name
// looks like a secret's.
func judgeSecretsInEnv(f *facts) rule.Result {
	var bad []string
	if cs := f.service.Spec.TaskTemplate.ContainerSpec; cs != nil {
		for _, e := range cs.Env {
			k, _, _ := strings.Cut(e, "=")
			if secretEnvPattern().MatchString(k) {
				bad = append(bad, k)
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return rule.Fail("environment variables look like secrets", "Env "+strings.Join(bad, ", "))
	}
	return rule.Pass("no secret-like environment variables", "")
}
