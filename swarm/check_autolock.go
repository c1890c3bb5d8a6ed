package swarm

import (
	"github.com/safedock/safedock/rule"
)

// checkAutolock binds swarm.autolock to its judge.
var checkAutolock = rule.Check[*facts]{
	Rule: rule.Rule{
		ID: SwarmAutolock, Title: "Swarm managers run in auto-lock mode", Severity: rule.SeverityMedium, CIS: []string{"7.5"},
		Rationale:   "Without auto-lock the keys that decrypt the raft log (and every secret) sit on the manager's disk; with it, a restarted manager needs the unlock key.",
		Remediation: "docker swarm update --autolock=true, and keep the unlock key somewhere safe (rotate it with docker swarm unlock-key --rotate).",
	},
	Judge: judgeAutolock,
}

// judgeAutolock passes when the swarm's managers auto-lock.
func judgeAutolock(f *facts) rule.Result {
	if f.spec.EncryptionConfig.AutoLockManagers {
		return rule.Pass("managers auto-lock", "Spec.EncryptionConfig.AutoLockManagers=true")
	}
	return rule.Fail("auto-lock is off: the raft keys sit unencrypted on the managers' disks", "Spec.EncryptionConfig.AutoLockManagers=false")
}
