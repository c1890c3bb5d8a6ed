package host

import (
	"fmt"
	"slices"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkSocketGroupMembers binds host.socket-group-members to its judge.
var checkSocketGroupMembers = rule.Check[*env]{
	Rule: rule.Rule{ID: HostSocketGroupMembers, Title: "only trusted users control the daemon", Severity: rule.SeverityHigh, CIS: []string{"1.1.2"},
		Rationale:   "Members of the group that owns the Docker socket can start a privileged container: they are root on the host.",
		Remediation: "Remove untrusted users from the socket's group (gpasswd -d USER docker); consider rootless Docker or an authorization plugin."},
	Judge: judgeSocketGroupMembers,
}

// judgeSocketGroupMembers judges host.socket-group-members.
func judgeSocketGroupMembers(e *env) rule.Result {
	sock, src := e.socketPath()
	st, err := e.files.Lstat(sock)
	if err != nil {
		return rule.Skip("socket not found (" + src + "): " + err.Error())
	}
	group := e.acc.GroupName(st.GID)
	members := e.acc.GroupMembers(st.GID)
	detail := fmt.Sprintf("socket %s (%s) group %s (gid %d), mode %04o; members: %s", sock, src, group, st.GID, st.Perm, strings.Join(members, ", "))
	if st.Perm&0o060 == 0 {
		return rule.Pass("the socket's group has no access", detail)
	}
	if len(members) == 0 {
		return rule.Pass(fmt.Sprintf("group %s has no members", group), detail)
	}
	if len(e.in.TrustedUsers) > 0 {
		var untrusted []string
		for _, m := range members {
			if !slices.Contains(e.in.TrustedUsers, m) {
				untrusted = append(untrusted, m)
			}
		}
		if len(untrusted) > 0 {
			return rule.Fail(fmt.Sprintf("untrusted users control the daemon through group %s: %s", group, strings.Join(untrusted, ", ")), detail)
		}
		return rule.Pass(fmt.Sprintf("every member of group %s is trusted", group), detail)
	}
	return rule.Warn(fmt.Sprintf("%d user(s) control the daemon through group %s: %s; confirm each is trusted", len(members), group, strings.Join(members, ", ")), detail)
}
