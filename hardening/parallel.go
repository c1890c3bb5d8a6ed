package hardening

import (
	"runtime"
	"sync"

	"github.com/safedock/safedock/rule"
)

// DefaultConcurrency is how many inspects an audit has in flight at most
// (and, apart from them, how many evaluations run, each of which may list a
// container's processes with ContainerTop) when not told otherwise: the
// cap of AutoConcurrency.
const DefaultConcurrency = 8

// AutoConcurrency is the concurrency an audit uses when its options leave
// it unset (zero or negative): two inspects in flight per CPU of this
// machine, at least 2 and at most DefaultConcurrency.
//
// A local daemon answers no faster with more requests in flight than it has
// CPUs to serve them, and every extra one is another connection and
// goroutine on both sides. On a 2-CPU machine (dockerd 20.10 and 28.5) 4
// measured as fast as 8 at 200 containers and about 0.5 ms faster at 10
// (bench/RESULTS.md); 2 was slower at 200.
func AutoConcurrency() int {
	return min(DefaultConcurrency, max(2, 2*runtime.NumCPU()))
}

// pipeline runs fetch for every index in [0, n) on conc workers
// (AutoConcurrency when not positive) and hands each result, as soon as
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
		conc = AutoConcurrency()
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
