package daemonconf

import (
	"fmt"

	"github.com/safedock/safedock/rule"
)

// Change is one edit Harden made.
type Change struct {
	Rule        rule.ID `json:"rule"`
	Description string  `json:"description"`
}

// Harden merges the secure settings into an existing daemon.json: it keeps
// every key of the user's, tightens what is weak (icc, log level, iptables,
// insecure registries, default ulimits, log rotation, no-new-privileges,
// live-restore, userland proxy, seccomp unconfined, experimental,
// disable-legacy-registry) and reports each change. It judges what dockerd
// applies: "debug": true is turned off because it overrides log-level, and
// on a swarm node (opts.Host.SwarmActive) live-restore is never added and
// an existing one is turned off, since dockerd refuses the two together. Settings it cannot pick
// for the user (TLS files, userns-remap, storage driver, cgroup parent,
// authorization plugin, remote syslog address) are left alone and remain as
// findings of Validate. Waived rules are not touched. The input must parse;
// the output is returned only if Validate accepts it.
func Harden(data []byte, opts Options) ([]byte, []Change, error) {
	cfg, err := Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("harden daemon.json: %w", err)
	}
	m := deepCopy(cfg.values).(map[string]any)
	var changes []Change
	for _, ck := range checks {
		r, fix := ck.Rule, fixes[ck.Rule.ID]
		if fix == nil {
			continue
		}
		if _, waived := opts.Waivers[r.ID]; waived {
			continue
		}
		if r.ID == DaemonLiveRestore && opts.Host != nil && opts.Host.SwarmActive {
			// dockerd refuses live-restore on a swarm node: never add it
			// there, and take out one the file has.
			if lr, ok := m["live-restore"].(bool); ok && lr {
				m["live-restore"] = false
				changes = append(changes, Change{r.ID, "live-restore: true -> false (this node is in a swarm; dockerd refuses live-restore there)"})
			}
			continue
		}
		if r.ID == DaemonICC {
			// icc=false needs iptables; DaemonIPTables runs after and turns it on.
			if b, ok := m["iptables"].(bool); ok && !b {
				if d := setBool("iptables", true)(m); d != "" {
					changes = append(changes, Change{DaemonIPTables, d})
				}
			}
		}
		if d := fix(m); d != "" {
			changes = append(changes, Change{r.ID, d})
		}
	}
	out, err := marshal(m)
	if err != nil {
		return nil, nil, fmt.Errorf("harden daemon.json: %w", err)
	}
	if err := Validate(out, opts).Err(); err != nil {
		return nil, changes, fmt.Errorf("harden daemon.json: the merged file is still rejected: %w", err)
	}
	return out, changes, nil
}

func deepCopy(x any) any {
	switch t := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[k] = deepCopy(v)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, v := range t {
			l[i] = deepCopy(v)
		}
		return l
	}
	return x
}
