package hardening

import "time"

// SetSweepMargin sets how long past its start-by time an abandoned
// container is left alone, for a test, and returns the restore function.
func SetSweepMargin(d time.Duration) func() {
	old := sweepMargin
	sweepMargin = d
	return func() { sweepMargin = old }
}
