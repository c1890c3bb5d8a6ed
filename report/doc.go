// Package report renders a rule.Report as text, JSON, SARIF 2.1.0 or one
// self-contained HTML page. Rendering never changes the report: findings
// are already sorted and summarized by rule.NewReport, and numbered in the
// report's benchmark (rule.Report.ForBenchmark).
//
// Every format says which benchmark the findings cite and, when the report
// carries them, who made it, about which host and when: the JSON's top
// level, SARIF's run (tool.driver.version, invocations, properties), the
// last line of text, the HTML header. Text and HTML put the errors that
// stop dockerd first; text pads no line.
//
// A whole-host audit's report (Options.Sections) is rendered by section: a
// finding belongs to rule.SectionOf its rule, the one derivation of a
// section from a rule ID. Text gives one block per section with its own
// counts, HTML one row per section with filters, JSON adds "sections".
package report
