package hardening

import (
	"testing"

	"github.com/safedock/safedock/rule"
)

func TestNoNewPrivilegesIsWhatDockerdApplies(t *testing.T) {
	nnp := HostFacts{Known: true, NoNewPrivileges: true}
	effectiveCases(t, rule.ContainerNoNewPrivileges, []effectiveCase{
		{"daemon no-new-privileges", nnp, nil, rule.StatusPass, MethodDaemonDefault},
		{"container turns it off", nnp, []string{"no-new-privileges:false"}, rule.StatusFail, "config"},
		{"container turns it off (=)", nnp, []string{"no-new-privileges=false"}, rule.StatusFail, "config"},
		{"container turns it off (0)", nnp, []string{"no-new-privileges=0"}, rule.StatusFail, "config"},
		{"ParseBool true", HostFacts{Known: true}, []string{"no-new-privileges=1"}, rule.StatusPass, "config"},
		{"bare", HostFacts{Known: true}, []string{"no-new-privileges"}, rule.StatusPass, "config"},
		{"dockerd refuses", nnp, []string{"no-new-privileges=maybe"}, rule.StatusFail, "config"},
		{"no daemon default", HostFacts{Known: true}, nil, rule.StatusFail, "config"},
	})
}
