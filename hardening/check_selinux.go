package hardening

import (
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/container"

	"github.com/safedock/safedock/rule"
)

// checkSELinux binds container.selinux to its judge.
var checkSELinux = rule.Bind(containerRules, rule.ContainerSELinux, judgeSELinux)

// applySELinux is the builder's default for container.selinux: on a host
// with SELinux, type container_t, unless the caller set a label option (an
// explicit choice is what the rule then judges). Build applies it again
// after the options, as host facts may arrive with them.
func applySELinux(sp *Spec) {
	if _, set, _ := ParseSELinuxLabel(sp.HostConfig); sp.Host.SELinux && !set {
		addSecurityOpt(sp.HostConfig, "label=type:container_t")
	}
}

// judgeSELinux judges container.selinux on a host that has SELinux: labels
// applied, by every label option dockerd would read.
func judgeSELinux(s *Subject) rule.Result {
	if !s.Host.Known {
		return rule.Skip("host facts unknown: cannot tell whether the host has SELinux")
	}
	if !s.Host.SELinux {
		return rule.Skip("host has no SELinux")
	}
	if s.HostConfig.Privileged {
		return rule.Fail("SELinux labeling disabled", "HostConfig.Privileged=true")
	}
	// Every label option counts: label=type:x label=disable is disabled.
	l, _, err := ParseSELinuxLabel(s.HostConfig)
	if err != nil {
		return rule.Fail("SELinux label options dockerd would not apply", err.Error())
	}
	if l.Disable {
		return rule.Fail("SELinux labeling disabled", "SecurityOpt label=disable")
	}
	return rule.Pass("SELinux labels applied", "type "+firstNonEmpty(l.Type, "container_t"))
}

// SELinuxLabel is what a container's label security options ask of
// SELinux, read from all of them (--security-opt label=type:svirt_t
// --security-opt label=level:s0:c1 ...).
type SELinuxLabel struct {
	// Disable is label=disable: the container runs unconfined.
	Disable bool
	// User, Role, Type and Level are label=user:..., role:..., type:...
	// and level:....
	User, Role, Type, Level string
	// Other lists the options dockerd knows that have no SELinux context
	// field (label=nested, label=filetype:...), for callers that must
	// map every option.
	Other []string
}

// ParseSELinuxLabel reads every label option of hc ("label=..." or the
// legacy "label:..."). It reports whether there was any, and an error
// naming an option dockerd would not know.
func ParseSELinuxLabel(hc *container.HostConfig) (SELinuxLabel, bool, error) {
	var l SELinuxLabel
	found := false
	for _, o := range hc.SecurityOpt {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, _ = strings.Cut(o, ":")
		}
		if k != "label" {
			continue
		}
		found = true
		if v == "disable" {
			l.Disable = true
			continue
		}
		lk, lv, _ := strings.Cut(v, ":")
		switch lk {
		case "user":
			l.User = lv
		case "role":
			l.Role = lv
		case "type":
			l.Type = lv
		case "level":
			l.Level = lv
		case "nested", "filetype":
			l.Other = append(l.Other, o)
		default:
			return l, true, fmt.Errorf("unknown SELinux label option %q (want disable, user:, role:, type:, level:, nested or filetype:)", o)
		}
	}
	return l, found, nil
}
