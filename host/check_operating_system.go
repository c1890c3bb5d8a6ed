package host

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/safedock/safedock/rule"
)

// checkOperatingSystem binds host.operating-system to its judge.
var checkOperatingSystem = rule.Check[*env]{
	Rule: rule.Rule{ID: HostOperatingSystem, Title: "the host runs a container-optimized OS", Severity: rule.SeverityInfo, CIS: []string{"1.2.1"},
		Rationale:   "Container-optimized systems (Flatcar, Fedora CoreOS, Bottlerocket, Talos, Photon, ...) are minimal and update atomically (A/B partitions), which shrinks the attack surface.",
		Remediation: "Consider a container-optimized OS for dedicated Docker hosts; otherwise harden the general-purpose OS and keep it minimal."},
	Judge: judgeOperatingSystem,
}

// OSRelease is what /etc/os-release says.
type OSRelease struct {
	ID, IDLike, Name, PrettyName, VersionID, VariantID string
}

// ParseOSRelease reads an os-release(5) file.
func ParseOSRelease(data []byte) OSRelease {
	var o OSRelease
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		} else {
			v = strings.Trim(v, `"'`)
		}
		switch k {
		case "ID":
			o.ID = strings.ToLower(v)
		case "ID_LIKE":
			o.IDLike = strings.ToLower(v)
		case "NAME":
			o.Name = v
		case "PRETTY_NAME":
			o.PrettyName = v
		case "VERSION_ID":
			o.VersionID = v
		case "VARIANT_ID":
			o.VariantID = strings.ToLower(v)
		}
	}
	return o
}

// ContainerOptimized names the container-optimized OS family o belongs to,
// or "" for a general-purpose OS.
func (o OSRelease) ContainerOptimized() string {
	ids := append([]string{o.ID}, strings.Fields(o.IDLike)...)
	name := strings.ToLower(o.Name + " " + o.PrettyName)
	known := map[string]string{
		"rancheros": "RancherOS", "burmillaos": "BurmillaOS", "coreos": "CoreOS", "fedora-coreos": "Fedora CoreOS",
		"flatcar": "Flatcar Container Linux", "rhcos": "Red Hat CoreOS", "photon": "VMware Photon OS",
		"bottlerocket": "Bottlerocket", "talos": "Talos Linux", "cos": "Container-Optimized OS", "k3os": "k3OS",
		"sle-micro": "SLE Micro", "opensuse-microos": "openSUSE MicroOS", "clear-linux-os": "",
	}
	for _, id := range ids {
		if n, ok := known[id]; ok && n != "" {
			return n
		}
	}
	switch {
	case o.VariantID == "coreos":
		return "Fedora CoreOS"
	case o.VariantID == "atomic.host" || o.VariantID == "atomic" || strings.Contains(name, "atomic host"):
		return "Project Atomic"
	case strings.Contains(name, "rancheros"), strings.Contains(name, "flatcar"), strings.Contains(name, "bottlerocket"), strings.Contains(name, "talos"):
		return strings.TrimSpace(o.Name)
	}
	return ""
}

// judgeOperatingSystem judges host.operating-system.
func judgeOperatingSystem(e *env) rule.Result {
	data, err := e.facts.OSRelease.Data, e.facts.OSRelease.Err
	if data == nil && err == nil {
		err = errors.New("os-release not gathered")
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && e.in.Info != nil && e.in.Info.OperatingSystem != "" {
			data = []byte("NAME=" + strconv.Quote(e.in.Info.OperatingSystem) + "\nPRETTY_NAME=" + strconv.Quote(e.in.Info.OperatingSystem))
		} else {
			return rule.Skip("no os-release: " + err.Error())
		}
	}
	o := ParseOSRelease(data)
	label := o.PrettyName
	if label == "" {
		label = strings.TrimSpace(o.Name + " " + o.VersionID)
	}
	detail := fmt.Sprintf("ID=%s ID_LIKE=%s VARIANT_ID=%s", o.ID, o.IDLike, o.VariantID)
	if cos := o.ContainerOptimized(); cos != "" {
		return rule.Pass(label+" is a container-optimized OS ("+cos+")", detail)
	}
	return rule.Warn(label+" is a general-purpose OS, not a container-optimized one", detail)
}
