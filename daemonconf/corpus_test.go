package daemonconf_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/safedock/safedock/daemonconf"
	"github.com/safedock/safedock/internal/dockertest"
)

type corpusCase struct {
	File    string   `json:"file"`
	Args    []string `json:"dockerd_args"`
	Source  string   `json:"source"`
	Pattern string   `json:"pattern"`
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct{ Cases []corpusCase }
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Cases
}

// dockerdNofile is the RLIMIT_NOFILE hard limit a throwaway dockerd
// inherits from the test process.
func dockerdNofile(t *testing.T) uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	return lim.Max
}

func TestCorpusIndex(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		if c.Source == "" || c.Pattern == "" {
			t.Errorf("%s: no source or pattern in the index", c.File)
		}
		if _, err := os.Stat(filepath.Join("testdata", "corpus", c.File)); err != nil {
			t.Error(err)
		}
	}
}

// outcome is what a daemon.json does to dockerd: it refuses to start, it
// starts but every container fails, or it starts and containers run.
type outcome string

const (
	outRefused    outcome = "refused"
	outContainers outcome = "containers-fail"
	outOK         outcome = "ok"
)

func validatorOutcome(res *daemonconf.Result) outcome {
	switch {
	case res.Refused():
		return outRefused
	case !res.OK():
		return outContainers
	}
	return outOK
}

// TestCorpusAgainstDockerd boots every corpus file on a throwaway dockerd of
// the engine the suite runs (20.10, or the modern engine under
// SAFEDOCK_ENGINE_PREFIX), four at a time, each in its own netns and
// directories; on a daemon that starts it runs one container from a FROM
// scratch probe image. It compares dockerd's outcome (refused, every
// container fails, fine) with Validate's for that engine version, told the
// facts of this host (LocalHostFacts, as --host-facts local): they must
// agree on at least 98% of the files. Told nothing about the host
// (--host-facts none), Validate may differ only where it says the verdict
// is host-dependent.
func TestCorpusAgainstDockerd(t *testing.T) {
	cases := loadCorpus(t)
	engine := dockertest.EngineVersion(t)
	ver, err := daemonconf.ParseVersion(engine)
	if err != nil {
		t.Fatal(err)
	}
	// A throwaway dockerd inherits the test's RLIMIT_NOFILE, not the
	// system dockerd's that LocalHostFacts reads.
	nofile := dockerdNofile(t)
	type verdict struct {
		dockerd  outcome
		local    outcome // told LocalHostFacts("/")
		none     outcome // told nothing about the host
		hostDep  bool    // the no-facts result names a host-dependent problem
		reason   string
		problems []daemonconf.Problem
	}
	results := make([]verdict, len(cases))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, c := range cases {
		data, err := os.ReadFile(filepath.Join("testdata", "corpus", c.File))
		if err != nil {
			t.Fatal(err)
		}
		args := append(dockertest.DaemonArgs(), c.Args...)
		// The facts of this host for this file (gathered once for it).
		local, err := daemonconf.LocalHostFacts("/", data, args)
		if err != nil {
			t.Fatal(err)
		}
		local.NofileHardLimit = nofile
		res := daemonconf.Validate(data, daemonconf.Options{Version: ver, DockerdArgs: args, Host: local})
		results[i].local = validatorOutcome(res)
		results[i].problems = res.Errors()
		none := daemonconf.Validate(data, daemonconf.Options{Version: ver, DockerdArgs: args})
		results[i].none = validatorOutcome(none)
		results[i].hostDep = slices.ContainsFunc(none.Problems, func(p daemonconf.Problem) bool { return p.HostDependent })
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.File, func(t *testing.T) {
				b, cr := dockertest.BootConfigContainer(t, data, c.Args...)
				switch {
				case b.Refused:
					results[i].dockerd, results[i].reason = outRefused, b.Error
				case cr.Failed:
					results[i].dockerd, results[i].reason = outContainers, cr.Error
				default:
					results[i].dockerd = outOK
				}
			})
		}()
	}
	wg.Wait()
	agree, agreeNone := 0, 0
	for i, c := range cases {
		r := results[i]
		if r.dockerd == r.none {
			agreeNone++
		} else if r.hostDep {
			t.Logf("host-dependent %s: dockerd %s; without host facts the validator says %s and warns", c.File, r.dockerd, r.none)
		} else {
			t.Errorf("%s: without host facts the validator says %s and names nothing host-dependent; dockerd %s: %s", c.File, r.none, r.dockerd, r.reason)
		}
		if r.dockerd == r.local {
			agree++
			continue
		}
		t.Logf("DISAGREE %s: dockerd %s: %s; validator %s: %v", c.File, r.dockerd, r.reason, r.local, r.problems)
	}
	pct := 100 * float64(agree) / float64(len(cases))
	t.Logf("engine %s: %d of %d agree (%.1f%%) with local host facts", engine, agree, len(cases), pct)
	t.Logf("engine %s: %d of %d agree (%.1f%%) without host facts (the rest are reported as host-dependent)", engine, agreeNone, len(cases), 100*float64(agreeNone)/float64(len(cases)))
	if pct < 98 {
		t.Errorf("engine %s: agreement %.1f%% is below 98%%", engine, pct)
	}
}
