package host

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/safedock/safedock/rule"
)

// checkDataRootMount binds host.data-root-mount to its judge.
var checkDataRootMount = rule.Check[*env]{
	Rule: rule.Rule{ID: HostDataRootMount, Title: "the data root is on its own filesystem", Severity: rule.SeverityMedium, CIS: []string{"1.1.1"},
		Rationale:   "Images, containers and volumes grow without bound; on the root filesystem they can fill it and stop the host.",
		Remediation: "Mount a dedicated filesystem (partition or LVM volume) at the data root, e.g. /var/lib/docker, and list it in /etc/fstab."},
	Judge: judgeDataRootMount,
}

// judgeDataRootMount judges host.data-root-mount.
func judgeDataRootMount(e *env) rule.Result {
	dr, src := e.dataRoot()
	data := e.in.MountInfo
	if data == nil {
		if !e.files.Live() {
			return rule.Skip("no mount table for a root other than this machine's (pass Inputs.MountInfo)")
		}
		err := e.facts.MountInfoErr
		if err == nil {
			err = errors.New("not gathered")
		}
		return rule.Skip("cannot read the mount table: " + err.Error())
	}
	mounts := ParseMountInfo(data)
	if len(mounts) == 0 {
		return rule.Skip("the mount table is empty or unreadable")
	}
	m, ok := MountOf(mounts, dr)
	if !ok {
		return rule.Skip("no mount covers " + dr)
	}
	detail := fmt.Sprintf("data root %s (from %s); mount %s: %s %s (device %s, root %s)", dr, src, m.MountPoint, m.FSType, m.Source, m.Device, m.Root)
	res := rule.Result{Method: "mountinfo"}
	if m.MountPoint != dr {
		res = rule.Fail(fmt.Sprintf("%s is on the %s filesystem, not its own", dr, m.MountPoint), detail)
	} else if parent, ok := MountOf(mounts, filepath.Dir(dr)); ok && parent.Device == m.Device {
		res = rule.Fail(fmt.Sprintf("%s is a bind mount from the same filesystem as %s (device %s), not its own partition", dr, parent.MountPoint, m.Device), detail)
	} else {
		res = rule.Pass(fmt.Sprintf("%s is its own %s filesystem", dr, m.FSType), detail)
	}
	res.Method = "mountinfo"
	return res
}
