package hardening

import (
	"sync"

	"github.com/safedock/safedock/rule"
)

// DefaultConcurrency is how many inspects an audit has in flight at most
// (and, apart from them, how many evaluations run, each of which may list a
// container's processes with ContainerTop).
const DefaultConcurrency = 8

// pipeline runs fetch for every index in [0, n) on conc workers
// (DefaultConcurrency when not positive) and hands each result, as soon as
// it is fetched, to eval on conc other workers. It returns the findings
// flattened in index order.
//
// The two stages are apart so that an eval waiting for something slower
// than one fetch (the daemon's /info, the /proc snapshot) holds up no
// fetch: the inspects keep flowing at the bound while the evaluations wait.
// Workers rather than a goroutine per item keep the goroutine stacks that
// JSON decoding grows, and keep at most 2×conc API calls in flight.
func pipeline[T any](n, conc int, fetch func(i int) T, eval func(i int, v T) []rule.Finding) []rule.Finding {
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	conc = min(conc, max(n, 1))
	type item struct {
		i int
		v T
	}
	next := make(chan int)
	fetched := make(chan item, n)
	results := make([][]rule.Finding, n)
	var fetchers, evaluators sync.WaitGroup
	for range conc {
		fetchers.Go(func() {
			for i := range next {
				fetched <- item{i, fetch(i)}
			}
		})
		evaluators.Go(func() {
			for it := range fetched {
				results[it.i] = eval(it.i, it.v)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	fetchers.Wait()
	close(fetched)
	evaluators.Wait()
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
