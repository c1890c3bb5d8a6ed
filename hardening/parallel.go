package hardening

import (
	"sync"

	"github.com/safedock/safedock/rule"
)

// DefaultConcurrency bounds the API calls an audit has in flight.
const DefaultConcurrency = 8

// collect runs fn for every index in [0, n) with at most conc calls in
// flight and returns their findings flattened in index order.
func collect(n, conc int, fn func(i int) []rule.Finding) []rule.Finding {
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	results := make([][]rule.Finding, n)
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i] = fn(i)
		})
	}
	wg.Wait()
	total := 0
	for _, fs := range results {
		total += len(fs)
	}
	all := make([]rule.Finding, 0, total)
	for _, fs := range results {
		all = append(all, fs...)
	}
	return all
}
