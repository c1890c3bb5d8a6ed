package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTuneRuntime(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	gc := debug.SetGCPercent(100)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetGCPercent(gc)
	})
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	runtime.GOMAXPROCS(4)
	tuneRuntime([]string{"audit"}, env(nil))
	assert.Equal(t, 2, runtime.GOMAXPROCS(0), "a local audit leaves half the CPUs to dockerd")
	assert.Equal(t, gcPercent, debug.SetGCPercent(100))

	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"remote daemon":     {[]string{"audit"}, map[string]string{"DOCKER_HOST": "tcp://10.0.0.1:2376"}},
		"GOMAXPROCS is set": {[]string{"audit"}, map[string]string{"GOMAXPROCS": "4", "GOGC": "100"}},
		"not an audit":      {[]string{"run", "img"}, map[string]string{"GOGC": "100"}},
	} {
		t.Run(name, func(t *testing.T) {
			runtime.GOMAXPROCS(4)
			tuneRuntime(tc.args, env(tc.env))
			assert.Equal(t, 4, runtime.GOMAXPROCS(0))
		})
	}
	debug.SetGCPercent(100)
	tuneRuntime([]string{"run"}, env(map[string]string{"GOGC": "50"}))
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC wins")
	runtime.GOMAXPROCS(1)
	tuneRuntime([]string{"audit"}, env(nil))
	assert.Equal(t, 1, runtime.GOMAXPROCS(0), "never below one")
}
