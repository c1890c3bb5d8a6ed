package podmanconf

import (
	"github.com/safedock/safedock/rule"
)

// FilePodmanConfig is the rule that Podman's configuration files are
// root-owned and writable by root only.
const FilePodmanConfig rule.ID = "file.podman-config"

var podmanConfigFile = rule.Check[FileFacts]{
	Rule: rule.Rule{ID: FilePodmanConfig, Title: "Podman's configuration files are root:root and at most 0644", Severity: rule.SeverityHigh, CIS: []string{"3.17", "3.18"},
		Rationale:   "containers.conf, storage.conf and registries.conf decide seccomp, namespaces, capabilities and where images come from for every container: whoever can write them weakens every container Podman starts next (the equivalent of daemon.json's owner and mode).",
		Remediation: "chown root:root and chmod 0644 (or stricter) the file and the directory holding its drop-ins."},
	Judge: func(f FileFacts) rule.Result {
		if f.Err != nil {
			return rule.Skip("could not examine the file: " + f.Err.Error())
		}
		d := ownerDetail(f)
		if !f.Mode.IsRegular() && !f.Mode.IsDir() {
			return rule.Fail("not a regular file", d+" ("+f.Mode.Type().String()+")")
		}
		if f.UID != 0 || f.GID != 0 {
			return rule.Fail("not owned by root:root", d)
		}
		allowed := uint32(0o644)
		if f.Mode.IsDir() {
			allowed = 0o755
		}
		if f.Perm&^allowed != 0 {
			return rule.Fail("writable by others than root (or setuid, setgid, sticky)", d)
		}
		return rule.Pass("root:root, not writable by others", d)
	},
}
