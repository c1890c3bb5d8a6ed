package hardening

import "testing"

// BenchmarkBuild measures building and enforcing a hardened spec: the
// defaults, the options and every rule's check.
func BenchmarkBuild(b *testing.B) {
	opts := hardenedOpts()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(testImage, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate measures one container's audit once its inspect is in
// hand: every rule on one subject (the per-container cost of Audit).
func BenchmarkEvaluate(b *testing.B) {
	sp, err := Build(testImage, hardenedOpts()...)
	if err != nil {
		b.Fatal(err)
	}
	s := sp.Subject()
	s.Processes, s.ProcessesKnown, s.Running = []string{"/app --serve", "/bin/sh -c true"}, true, true
	b.ReportAllocs()
	for b.Loop() {
		if fs := Evaluate(s); len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
}
