package hardening

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/safedock/safedock/rule"
)

// An evaluation that waits (for /info) must not hold up the fetches: every
// fetch completes while every evaluation is still blocked, the fetches stay
// within the bound, and the findings come back in index order.
func TestPipelineFetchesWhileEvaluationsWait(t *testing.T) {
	const n, conc = 50, 3
	var inFlight, peak, fetched atomic.Int64
	allFetched := make(chan struct{})
	done := make(chan []rule.Finding)
	go func() {
		done <- pipeline(n, conc, func(i int) int {
			cur := inFlight.Add(1)
			for {
				p := peak.Load()
				if cur <= p || peak.CompareAndSwap(p, cur) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inFlight.Add(-1)
			if fetched.Add(1) == n {
				close(allFetched)
			}
			return i * 10
		}, func(i, v int) []rule.Finding {
			<-allFetched // like waiting for the host facts
			return []rule.Finding{{Target: fmt.Sprint(i, ":", v)}}
		})
	}()
	var got []rule.Finding
	select {
	case got = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("pipeline stalled: %d of %d fetched while evaluations waited", fetched.Load(), n)
	}
	require.Len(t, got, n)
	for i, f := range got {
		require.Equal(t, fmt.Sprint(i, ":", i*10), f.Target)
	}
	require.LessOrEqual(t, peak.Load(), int64(conc), "fetches in flight beyond the bound")
}

func TestPipelineEmpty(t *testing.T) {
	got := pipeline(0, 0, func(int) int { t.Fatal("fetch called"); return 0 }, func(int, int) []rule.Finding { return nil })
	require.Empty(t, got)
}

// An audit left to choose keeps two inspects in flight per CPU, never fewer
// than 2 nor more than DefaultConcurrency.
func TestAutoConcurrency(t *testing.T) {
	got := AutoConcurrency()
	assert.GreaterOrEqual(t, got, 2)
	assert.LessOrEqual(t, got, DefaultConcurrency)
	assert.Equal(t, min(DefaultConcurrency, max(2, 2*runtime.NumCPU())), got)
}
