package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/safedock/safedock/rule"
)

// SARIF 2.1.0 rendering.
//
// How statuses map, and why (GitHub code scanning is the main consumer; it
// opens an alert for every result whatever its kind, and rejects the whole
// file when any result has no physical location):
//
//   - fail: kind "fail" (the default, so omitted), level by severity:
//     critical and high are "error", medium "warning", low and info "note".
//   - warn (a person must confirm): kind "fail", level "warning". SARIF's
//     kind "review" would force level "none" and hide it from the default
//     severity gates of code scanning, which is the opposite of what a warning
//     is for.
//   - waived: the result as it would have been (kind "fail", level by
//     severity) with a suppression of kind "external", status "accepted" and
//     the waiver's reason as justification. Viewers that honour suppressions
//     show it as dismissed; none loses the fact that the rule was loosened.
//   - skip (the check could not run): not a result but a notification of
//     the run's invocation (level "note", the rule as associatedRule, the
//     target as location). A rule that was not evaluated must not look like
//     a clean pass, and it is not an alert either: code scanning opens an
//     alert for every result, whatever its kind.
//   - pass: kind "pass", level "none", only when Options.Passed is set.
//     Passes are most of an audit and code scanning would list each one as an
//     alert; the run's rule list still says which rules exist, so a resolved
//     alert is closed without them.
//
// Locations: a "file:" or "spec:" target is a physicalLocation with a file
// URI. Every other target (container:NAME, image:NAME, host, host:PATH,
// audit:..., daemon:...) is a logicalLocation of kind "resource" whose
// fullyQualifiedName is the target, plus a physicalLocation relative to the
// uriBaseId SAFEDOCK_TARGETS ("container/NAME"), which the run declares as not
// being files: code scanning refuses results without a physical location.
//
// Identity: every result has a partialFingerprints entry
// "safedockFinding/v1", a hash of the host (the daemon ID, else the
// hostname), the rule and the target (and the detail, when the report has
// several findings of one rule on one target), so that alerts of two hosts
// never collide and an alert keeps its identity across runs. The run says
// who ran (tool.driver.version, the VCS revision in its properties), when
// (invocations[0].endTimeUtc), whether everything was examined
// (invocations[0].executionSuccessful) and against which benchmark (the
// run's properties, and every rule's references).

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// targetsBase is the uriBaseId of the pseudo-paths given to targets
	// that are not files.
	targetsBase = "SAFEDOCK_TARGETS"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
	ColumnKind         string                           `json:"columnKind"`
	// Invocations has one invocation: whether the run examined everything
	// (an incomplete report did not, and says why, so that no viewer reads
	// the results as the whole picture), when it ended, and the checks that
	// could not run.
	Invocations []sarifInvocation `json:"invocations"`
	Properties  *sarifRunProps    `json:"properties,omitempty"`
}

type sarifRunProps struct {
	Benchmark string             `json:"benchmark"`
	Host      *rule.HostIdentity `json:"host,omitempty"`
	FailOn    string             `json:"fail_on,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level          string              `json:"level"`
	Message        sarifMessage        `json:"message"`
	Locations      []sarifLocation     `json:"locations,omitempty"`
	AssociatedRule *sarifDescriptorRef `json:"associatedRule,omitempty"`
}

type sarifDescriptorRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string                `json:"name"`
	Version        string                `json:"version,omitempty"`
	InformationURI string                `json:"informationUri"`
	Rules          []sarifRuleDescriptor `json:"rules"`
	Properties     *sarifDriverProps     `json:"properties,omitempty"`
}

type sarifDriverProps struct {
	Revision string `json:"revision"`
}

type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleDescriptor struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Severity string   `json:"severity"`
	CIS      []string `json:"cis"`
	// Tags are what code scanning filters on: "security" and "CIS-5.26".
	Tags []string `json:"tags"`
	// SecuritySeverity is code scanning's numeric severity (critical > 9.0,
	// high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9).
	SecuritySeverity string `json:"security-severity,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind,omitempty"`
	Level               string             `json:"level"`
	Message             sarifMessage       `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifResultProps   `json:"properties"`
}

type sarifResultProps struct {
	Status   rule.Status `json:"status"`
	Severity string      `json:"severity"`
	Target   string      `json:"target"`
	CIS      []string    `json:"cis"`
	Method   string      `json:"method,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
}

type sarifArtifactLocation struct {
	URI         string        `json:"uri,omitempty"`
	URIBaseID   string        `json:"uriBaseId,omitempty"`
	Description *sarifMessage `json:"description,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// fingerprintKey is the partialFingerprints key of every result.
const fingerprintKey = "safedockFinding/v1"

func writeSARIF(w io.Writer, r rule.Report, opts Options) error {
	bench := r.BenchmarkOrDefault()
	rules, index := sarifRules(r, opts.Rules, bench)
	results := []sarifResult{}
	usesTargetsBase := false
	inv := sarifInvocation{ExecutionSuccessful: r.Complete(), EndTimeUTC: r.Generated}
	for _, g := range r.Incomplete {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "error", Message: sarifMessage{Text: gapText(g)}})
	}
	perTarget := map[string]int{}
	for _, f := range r.Findings {
		perTarget[string(f.Rule)+"\x00"+f.Target]++
	}
	hostKey := r.Host.Key()
	for _, f := range r.Findings {
		if f.Status == rule.StatusPass && !opts.Passed {
			continue
		}
		loc, pseudo := sarifLocationOf(f.Target)
		usesTargetsBase = usesTargetsBase || pseudo
		if f.Status == rule.StatusSkip {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level:          "note",
				Message:        sarifMessage{Text: fmt.Sprintf("%s on %s was not checked: %s", f.Rule, f.Target, findingMessage(f))},
				Locations:      []sarifLocation{loc},
				AssociatedRule: &sarifDescriptorRef{ID: string(f.Rule), Index: index[f.Rule]},
			})
			continue
		}
		res := sarifResult{
			RuleID:              string(f.Rule),
			RuleIndex:           index[f.Rule],
			Level:               sarifLevel(f.Severity),
			Message:             sarifMessage{Text: findingMessage(f)},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{fingerprintKey: fingerprint(hostKey, f, perTarget[string(f.Rule)+"\x00"+f.Target] > 1)},
			Properties: sarifResultProps{
				Status:   f.Status,
				Severity: f.Severity.String(),
				Target:   f.Target,
				CIS:      nonNil(f.CIS),
				Method:   f.Method,
			},
		}
		switch f.Status {
		case rule.StatusWarn:
			res.Level = "warning"
		case rule.StatusWaived:
			status := "accepted"
			if f.Waiver != nil && !f.Waiver.Approved {
				// Claimed by a label, approved by no waiver file.
				status = "underReview"
			}
			res.Suppressions = []sarifSuppression{{
				Kind:          "external",
				Status:        status,
				Justification: strings.TrimPrefix(f.Reason, "waived: "),
			}}
		case rule.StatusPass:
			res.Kind, res.Level = "pass", "none"
		}
		results = append(results, res)
	}
	version, revision := opts.ToolVersion, opts.ToolRevision
	if r.Tool != nil {
		version, revision = cmp.Or(version, r.Tool.Version), cmp.Or(revision, r.Tool.Revision)
	}
	driver := sarifDriver{Name: "safedock", Version: version, InformationURI: "https://github.com/safedock/safedock", Rules: rules}
	if revision != "" {
		driver.Properties = &sarifDriverProps{Revision: revision}
	}
	run := sarifRun{
		Tool:        sarifTool{Driver: driver},
		Results:     results,
		ColumnKind:  "unicodeCodePoints",
		Invocations: []sarifInvocation{inv},
		Properties:  &sarifRunProps{Benchmark: string(bench), Host: r.Host, FailOn: r.FailOn},
	}
	if usesTargetsBase {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{
			targetsBase: {Description: &sarifMessage{Text: "Not files: the Docker objects safedock audited, as KIND/NAME (container/web, image/app, host)."}},
		}
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("encoding sarif: %w", err)
	}
	return nil
}

// sarifRules lists the catalog's rules in catalog order (first declaration
// wins when catalogs were concatenated), then, sorted by ID, any rule a
// finding names that the catalog lacks, described from the finding. It
// returns the index of each rule in that list.
func sarifRules(r rule.Report, catalog rule.Catalog, bench rule.Benchmark) ([]sarifRuleDescriptor, map[rule.ID]int) {
	index := map[rule.ID]int{}
	out := []sarifRuleDescriptor{}
	add := func(rl rule.Rule) {
		if _, ok := index[rl.ID]; ok {
			return
		}
		index[rl.ID] = len(out)
		out = append(out, sarifRule(rl, bench))
	}
	for _, rl := range catalog {
		add(rl)
	}
	var missing []rule.Rule
	seen := map[rule.ID]bool{}
	for _, f := range r.Findings {
		if _, ok := index[f.Rule]; ok || seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		// The finding's CIS is already numbered in the report's benchmark.
		missing = append(missing, rule.Rule{ID: f.Rule, Severity: f.Severity, Refs: map[rule.Benchmark][]string{bench: f.CIS}, Remediation: f.Remediation})
	}
	slices.SortFunc(missing, func(a, b rule.Rule) int { return strings.Compare(string(a.ID), string(b.ID)) })
	for _, rl := range missing {
		add(rl)
	}
	return out, index
}

func sarifRule(rl rule.Rule, bench rule.Benchmark) sarifRuleDescriptor {
	cis := rl.References(bench)
	d := sarifRuleDescriptor{
		ID:                   string(rl.ID),
		Name:                 ruleName(rl.ID),
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rl.Severity)},
		Properties: sarifRuleProps{
			Severity:         rl.Severity.String(),
			CIS:              nonNil(cis),
			Tags:             []string{"security"},
			SecuritySeverity: securitySeverity(rl.Severity),
		},
	}
	for _, c := range cis {
		d.Properties.Tags = append(d.Properties.Tags, "CIS-"+c)
	}
	if rl.Title != "" {
		d.ShortDescription = &sarifMessage{Text: rl.Title}
	}
	if rl.Rationale != "" {
		d.FullDescription = &sarifMessage{Text: rl.Rationale}
	}
	if rl.Remediation != "" || len(cis) > 0 {
		d.Help = ruleHelp(rl.Remediation, cis, bench)
	}
	return d
}

// ruleHelp is the remediation, then the CIS references, as text and as
// Markdown.
func ruleHelp(remediation string, cis []string, bench rule.Benchmark) *sarifMessage {
	var text, md strings.Builder
	if remediation != "" {
		text.WriteString(remediation)
		md.WriteString("**Remediation:** " + remediation)
	}
	if len(cis) > 0 {
		refs := bench.Title() + ": " + strings.Join(cis, ", ")
		if text.Len() > 0 {
			text.WriteString("\n\n")
			md.WriteString("\n\n")
		}
		text.WriteString(refs)
		md.WriteString("**References:** " + refs)
	}
	return &sarifMessage{Text: text.String(), Markdown: md.String()}
}

// ruleName turns "container.no-new-privileges" into
// "ContainerNoNewPrivileges", the identifier-like form SARIF's name expects.
func ruleName(id rule.ID) string {
	var b strings.Builder
	upper := true
	for _, c := range string(id) {
		if c == '.' || c == '-' {
			upper = true
			continue
		}
		if upper {
			c = unicode.ToUpper(c)
			upper = false
		}
		b.WriteRune(c)
	}
	return b.String()
}

func sarifLevel(s rule.Severity) string {
	switch {
	case s >= rule.SeverityHigh:
		return "error"
	case s == rule.SeverityMedium:
		return "warning"
	}
	return "note"
}

func securitySeverity(s rule.Severity) string {
	switch s {
	case rule.SeverityCritical:
		return "9.5"
	case rule.SeverityHigh:
		return "8.0"
	case rule.SeverityMedium:
		return "5.5"
	case rule.SeverityLow:
		return "3.0"
	}
	return "" // info: not a security severity
}

func findingMessage(f rule.Finding) string {
	msg := f.Reason
	if msg == "" {
		msg = string(f.Status)
	}
	if f.Detail != "" {
		msg += ": " + f.Detail
	}
	return msg
}

// sarifLocationOf maps a finding's target to a location. pseudo reports
// whether it used the SAFEDOCK_TARGETS base for a target that is not a file.
func sarifLocationOf(target string) (loc sarifLocation, pseudo bool) {
	kind, name, hasName := strings.Cut(target, ":")
	if (kind == "file" || kind == "spec") && hasName && name != "" {
		// "file:/etc/docker/daemon.json (absent: defaults)": the path is
		// the location, the note stays in the result's target.
		if i := strings.Index(name, " ("); i > 0 && strings.HasSuffix(name, ")") {
			name = name[:i]
		}
		return sarifLocation{PhysicalLocation: &sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: fileURI(name)},
		}}, false
	}
	rel := url.PathEscape(kind)
	if hasName && name != "" {
		for seg := range strings.SplitSeq(strings.TrimPrefix(name, "/"), "/") {
			rel += "/" + url.PathEscape(seg)
		}
	} else {
		name = kind
	}
	return sarifLocation{
		PhysicalLocation: &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: rel, URIBaseID: targetsBase}},
		LogicalLocations: []sarifLogicalLocation{{Name: name, FullyQualifiedName: target, Kind: "resource"}},
	}, true
}

// fileURI returns file:///abs/path for an absolute path and an escaped
// relative reference otherwise.
func fileURI(p string) string {
	if path.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}

// fingerprint identifies a finding across runs: the host, the rule, the
// target, and the detail when one rule has several findings on one target.
// Status, reason and severity are left out: a fixed finding that comes back
// is the same alert.
func fingerprint(host string, f rule.Finding, withDetail bool) string {
	h := sha256.New()
	for _, part := range []string{host, string(f.Rule), f.Target} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if withDetail {
		h.Write([]byte(f.Detail))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
