package runspec

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/safedock/safedock/rule"
)

// checkHostDevices binds container.host-devices to its judge.
var checkHostDevices = rule.Bind(containerRules, rule.ContainerHostDevices, judgeHostDevices)

type devKey struct {
	major, minor int64
}

// standardDevices are the character devices every runtime allows (null,
// zero, full, random, urandom, tty, console, ptmx, tun) plus pty slaves.
var standardDevices = map[devKey]bool{
	{1, 3}: true, {1, 5}: true, {1, 7}: true, {1, 8}: true, {1, 9}: true,
	{5, 0}: true, {5, 1}: true, {5, 2}: true, {10, 200}: true,
}

func denyAll(d specs.LinuxDeviceCgroup) bool {
	return !d.Allow && (d.Type == "" || d.Type == "a") && d.Major == nil && d.Minor == nil &&
		(d.Access == "" || (strings.Contains(d.Access, "r") && strings.Contains(d.Access, "w") && strings.Contains(d.Access, "m")))
}

func standardDevice(d specs.LinuxDeviceCgroup) bool {
	if d.Type != "c" || d.Major == nil {
		return false
	}
	if *d.Major == 136 { // /dev/pts/*
		return true
	}
	return d.Minor != nil && standardDevices[devKey{*d.Major, *d.Minor}]
}

func devRule(d specs.LinuxDeviceCgroup) string {
	n := func(p *int64) string {
		if p == nil {
			return "*"
		}
		return fmt.Sprint(*p)
	}
	t := d.Type
	if t == "" {
		t = "a"
	}
	return fmt.Sprintf("%s %s:%s %s", t, n(d.Major), n(d.Minor), d.Access)
}

// deviceProblems lists host devices and device-cgroup rules beyond the
// standard ones.
func deviceProblems(spec *specs.Spec) []string {
	if spec == nil || spec.Linux == nil {
		return []string{"no linux section: no device cgroup"}
	}
	var bad []string
	for _, d := range spec.Linux.Devices {
		bad = append(bad, "linux.devices "+d.Path)
	}
	var rules []specs.LinuxDeviceCgroup
	if spec.Linux.Resources != nil {
		rules = spec.Linux.Resources.Devices
	}
	last := -1
	for i, d := range rules {
		if denyAll(d) {
			last = i
		}
	}
	if last < 0 {
		return append(bad, "the device cgroup does not deny all devices by default")
	}
	for _, d := range rules[last+1:] {
		if d.Allow && !standardDevice(d) {
			bad = append(bad, "device cgroup allows "+devRule(d))
		}
	}
	return bad
}

// applyHostDevices puts a deny-all rule first in the device cgroup and
// refuses host devices and allow rules beyond the standard ones.
func applyHostDevices(_ *settings, spec *specs.Spec, waived bool) error {
	if waived {
		return nil
	}
	res := spec.Linux.Resources
	if len(res.Devices) == 0 || !denyAll(res.Devices[0]) {
		res.Devices = append([]specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}, res.Devices...)
	}
	if bad := deviceProblems(spec); len(bad) > 0 {
		return violation(rule.ContainerHostDevices, "host devices are exposed", strings.Join(bad, "; "))
	}
	return nil
}

func judgeHostDevices(in subject) rule.Result {
	if bad := deviceProblems(in.spec); len(bad) > 0 {
		return rule.Fail("host devices are exposed", strings.Join(bad, "; "))
	}
	return rule.Pass("only the standard devices are allowed", "")
}
