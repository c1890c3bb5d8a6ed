// Package report renders a rule.Report as text, JSON or SARIF 2.1.0.
// Rendering never changes the report: findings are already sorted and
// summarized by rule.NewReport.
package report
