package rule

import (
	"fmt"
	"strings"
	"time"
)

// Section names one part of the whole-host audit.
type Section string

// Sections, in report order.
const (
	SectionHost       Section = "host"       // OS, kernel, engine version, data-root mount, socket group (CIS 1.1.1, 1.1.2)
	SectionAuditd     Section = "auditd"     // audit rules for Docker's files and binaries (CIS 1.1.3-1.1.18)
	SectionDaemon     Section = "daemon"     // daemon.json and dockerd's command line (CIS 2.x)
	SectionFiles      Section = "files"      // owners and modes of Docker's files (CIS 3.x)
	SectionImages     Section = "images"     // images on the daemon (CIS 4.x)
	SectionContainers Section = "containers" // containers on the daemon (CIS 5.x)
)

// AllSections lists every section in report order.
func AllSections() []Section {
	return []Section{SectionHost, SectionAuditd, SectionDaemon, SectionFiles, SectionImages, SectionContainers}
}

// ParseSection checks a section name.
func ParseSection(s string) (Section, error) {
	for _, sec := range AllSections() {
		if string(sec) == strings.TrimSpace(s) {
			return sec, nil
		}
	}
	return "", fmt.Errorf("unknown section %q: want one of host, auditd, daemon, files, images, containers", s)
}

// SectionOf returns the section a rule's findings belong to, from the rule
// ID's area ("container.x" → containers). This is the one place a section
// is derived from an ID. An area no section of the whole-host audit covers
// ("spec", "swarm", "authz") is its own section, named as the area.
func SectionOf(id ID) Section {
	area, _, _ := strings.Cut(string(id), ".")
	switch area {
	case "host":
		return SectionHost
	case "audit":
		return SectionAuditd
	case "daemon":
		return SectionDaemon
	case "file":
		return SectionFiles
	case "image":
		return SectionImages
	case "container":
		return SectionContainers
	}
	return Section(area)
}

// SectionResult says how one section of the whole-host audit went.
type SectionResult struct {
	Section  Section       `json:"section"`
	Findings int           `json:"findings"`
	Duration time.Duration `json:"duration_ns"`
	// Incomplete is true when the section did not examine everything it
	// should have: it could not run at all, some of its targets could not be
	// inspected, or the audit was stopped (timeout, interrupt) before it
	// finished. Error says why. Its findings, if any, cover only what was
	// examined; the rest is never reported as passed.
	Incomplete bool `json:"incomplete,omitempty"`
	// Failed of Total targets could not be examined (both 0 when the whole
	// section is missing).
	Failed int `json:"failed,omitempty"`
	Total  int `json:"total,omitempty"`
	// Error says why the section is incomplete.
	Error string `json:"error,omitempty"`
	// Skipped says why a section was not run at all.
	Skipped string `json:"skipped,omitempty"`
}

// Unfinished reports whether the section did not examine everything
// (Incomplete, or an Error).
func (s SectionResult) Unfinished() bool { return s.Incomplete || s.Error != "" }
