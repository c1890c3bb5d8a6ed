package rule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Benchmark names one version of the CIS Docker Benchmark, the way the
// --benchmark flag spells it ("cis-1.8.0"). CIS renumbers controls between
// versions; a rule's ID never changes, its references do.
type Benchmark string

// The benchmark versions safedock knows. Their numbering (see
// docs/rules.md for the public sources it was checked against):
//
//   - 1.6.0 (2023) is the baseline every catalog's Rule.CIS is written in.
//   - 1.7.0 (2024) keeps 1.6.0's numbers for every control safedock checks.
//   - 1.8.0 (2025) inserts 2.7 "Ensure devicemapper storage driver is not
//     used" and shifts 1.6.0's 2.7–2.18 to 2.8–2.19; sections 1, 3, 4, 5
//     and 7 keep their numbers.
const (
	CIS160 Benchmark = "cis-1.6.0"
	CIS170 Benchmark = "cis-1.7.0"
	CIS180 Benchmark = "cis-1.8.0"
)

// DefaultBenchmark is the benchmark findings cite unless a report is
// rendered for another one (Report.ForBenchmark).
const DefaultBenchmark = CIS180

// Benchmarks lists the known benchmarks, oldest first.
func Benchmarks() []Benchmark { return []Benchmark{CIS160, CIS170, CIS180} }

// ParseBenchmark checks a --benchmark value: "cis-1.8.0" (also "1.8.0" and
// "v1.8.0"). The empty string is DefaultBenchmark.
func ParseBenchmark(s string) (Benchmark, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return DefaultBenchmark, nil
	}
	v = strings.TrimPrefix(v, "cis-")
	v = strings.TrimPrefix(v, "v")
	b := Benchmark("cis-" + v)
	if slices.Contains(Benchmarks(), b) {
		return b, nil
	}
	return "", fmt.Errorf("unknown benchmark %q: want one of cis-1.6.0, cis-1.7.0, cis-1.8.0", s)
}

// Valid reports whether b is a known benchmark.
func (b Benchmark) Valid() bool { return slices.Contains(Benchmarks(), b) }

// Version is the benchmark's version number, "1.8.0".
func (b Benchmark) Version() string { return strings.TrimPrefix(string(b), "cis-") }

// Title is the benchmark's name for people: "CIS Docker Benchmark v1.8.0".
func (b Benchmark) Title() string { return "CIS Docker Benchmark v" + b.Version() }

// String returns the flag spelling, "cis-1.8.0".
func (b Benchmark) String() string { return string(b) }

// Translate maps a CIS Docker Benchmark v1.6.0 reference to its number in
// b. It returns "" when b has no such control.
func Translate(b Benchmark, ref160 string) string {
	switch b {
	case CIS160, CIS170:
		return ref160
	case CIS180:
		// 1.8.0 inserts 2.7 (devicemapper): 1.6.0's 2.7–2.18 move down one.
		sec, num, ok := strings.Cut(ref160, ".")
		if sec != "2" || !ok || strings.Contains(num, ".") {
			return ref160
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return ref160
		}
		if n >= 7 && n <= 18 {
			return "2." + strconv.Itoa(n+1)
		}
		return ref160
	}
	return ""
}

// notInBenchmark declares the rules that deliberately have no CIS control
// in any known benchmark, each with the reason: the explicit "none" for
// rules whose catalogs declare no references (a rule can also say it
// itself, with an empty Rule.Refs entry per benchmark). CheckReferences
// accepts these; a rule without references listed nowhere is an error.
var notInBenchmark = map[ID]string{
	"container.log-rotation":      "safedock's own: a container whose json-file log is unbounded can fill the data root (CIS covers the daemon-wide default, 2.13/2.14)",
	"container.tmpfs-flags":       "safedock's own: tmpfs mounts without noexec/nosuid undo a read-only root filesystem",
	"spec.mount-namespace":        "OCI runtime specs only: Docker always gives a container its own mount namespace",
	"spec.masked-paths":           "OCI runtime specs only: Docker always masks /proc paths unless privileged",
	"daemon.valid-config":         "safedock's own: dockerd must accept the file at all",
	"daemon.config-hygiene":       "safedock's own: ignored, duplicate and deprecated keys",
	"file.data-root.owner":        "safedock's own: the data root's owner (CIS audits it, 1.1.5, but sets no owner)",
	"file.data-root.mode":         "safedock's own: the data root's mode (CIS audits it, 1.1.5, but sets no mode)",
	"file.configuration-readable": "safedock's own: the checks need to read the configuration files",
	"host.kernel-version":         "Docker's own requirement (Linux 3.10); no longer a CIS control",
	"host.kernel-features":        "safedock's own: features the daemon's configuration relies on",
	"image.size":                  "safedock's own judgement for minimal images",
	// The seed's legacy-registry control was 2.13 of the CIS Docker 1.11.0
	// to 1.13.0 benchmarks; 1.6.0's 2.13 is remote logging, which is not
	// this rule.
	"daemon.legacy-registry": "dropped from the benchmark after CIS Docker 1.13.0 (its 2.13); dockerd >= 17.12 refuses the key",
}

// NotInBenchmark says why the rule id has no CIS control in any benchmark
// version, when safedock declares it so.
func NotInBenchmark(id ID) (reason string, ok bool) {
	reason, ok = notInBenchmark[id]
	return reason, ok
}

// NotInBenchmarkIDs lists the rules NotInBenchmark knows, sorted.
func NotInBenchmarkIDs() []ID {
	ids := make([]ID, 0, len(notInBenchmark))
	for id := range notInBenchmark {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// References returns r's CIS references in b: r.Refs[b] when r declares
// it (an empty list there means "none in b"), else r.CIS (v1.6.0) mapped
// with Translate. Rules NotInBenchmark knows have none.
func (r Rule) References(b Benchmark) []string {
	return references(r.ID, r.CIS, r.Refs, b)
}

func references(id ID, base []string, refs map[Benchmark][]string, b Benchmark) []string {
	if got, ok := refs[b]; ok {
		return slices.Clone(got)
	}
	if _, none := notInBenchmark[id]; none {
		return []string{}
	}
	out := make([]string, 0, len(base))
	for _, c := range base {
		if t := Translate(b, c); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// CheckReferences is the catalog self-validation of references: every
// rule has at least one CIS reference in every known benchmark, or an
// explicit "none" (NotInBenchmark, or an empty Rule.Refs entry for that
// benchmark), and every reference is dotted numbers. Two rules may share a
// control (the ownership and the mode of one file, for example).
func (c Catalog) CheckReferences() error {
	var problems []string
	for _, r := range c {
		for _, b := range Benchmarks() {
			refs := r.References(b)
			_, explicit := r.Refs[b]
			_, none := notInBenchmark[r.ID]
			if len(refs) == 0 && !explicit && !none {
				problems = append(problems, fmt.Sprintf("rule %s: no reference in %s and no explicit none", r.ID, b))
			}
			for _, ref := range refs {
				if !dottedNumbers(ref) {
					problems = append(problems, fmt.Sprintf("rule %s: %s reference %q is not dotted numbers", r.ID, b, ref))
				}
			}
		}
		for b := range r.Refs {
			if !b.Valid() {
				problems = append(problems, fmt.Sprintf("rule %s: references for unknown benchmark %q", r.ID, b))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("checking CIS references: %s", strings.Join(problems, "; "))
	}
	return nil
}
