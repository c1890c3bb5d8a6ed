package swarm

import (
	"testing"

	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/safedock/safedock/rule"
)

func TestSecretsInEnv(t *testing.T) {
	env := func(vars ...string) facts {
		return facts{service: swarmtypes.Service{Spec: swarmtypes.ServiceSpec{TaskTemplate: swarmtypes.TaskSpec{ContainerSpec: &swarmtypes.ContainerSpec{Env: vars}}}}}
	}
	judgeCases(t, checkSecretsInEnv, []judgeCase{
		{"no container spec", facts{}, rule.StatusPass, ""},
		{"no env", env(), rule.StatusPass, ""},
		{"plain env", env("PATH=/bin", "LOG_LEVEL=info"), rule.StatusPass, ""},
		{"password", env("DB_PASSWORD=hunter2"), rule.StatusFail, "Env DB_PASSWORD"},
		{"sorted names, no values", env("GITHUB_TOKEN=x", "API_KEY=y", "PATH=/bin"), rule.StatusFail, "Env API_KEY, GITHUB_TOKEN"},
		{"case-insensitive", env("aws_secret_access_key=z"), rule.StatusFail, "aws_secret_access_key"},
	})
	if res := checkSecretsInEnv.Judge(&facts{service: swarmtypes.Service{Spec: swarmtypes.ServiceSpec{TaskTemplate: swarmtypes.TaskSpec{ContainerSpec: &swarmtypes.ContainerSpec{Env: []string{"DB_PASSWORD=hunter2"}}}}}}); res.Detail != "Env DB_PASSWORD" {
		t.Errorf("the detail names the variable, never its value: %q", res.Detail)
	}
}
