// Package report renders a rule.Report as text or JSON (and, later, SARIF).
// Rendering never changes the report: findings are already sorted and
// summarized by rule.NewReport.
package report
